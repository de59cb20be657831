import pytest
from foreign_answers import answers_except
from parsing_expect import DK, NU

NONE = ("none", False)
ABOVE = ("above_knee", False)
BELOW = ("below_knee", False)
LEG = ("leg_unspecified", False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # stays in the back
        ("no, it stays in my back", NONE),
        ("no", NONE),
        ("nope just my lower back", NONE),
        ("just my back", NONE),
        ("stays put", NONE),
        ("it stays put", NONE),
        ("only the lower back, nowhere else", NONE),
        ("it doesn't go into my legs", NONE),
        ("it doesn't radiate anywhere", NONE),
        ("no leg pain at all", NONE),
        ("it doesn't go anywhere, just sits in the small of my back", NONE),
        ("no, stays in the back, I'm 58", NONE),
        ("bottom of my back", NONE),
        # what it did before does not count when the candidate says what it does now
        ("it used to go down to my foot but now it stays in my back", NONE),
        # said to be over: spreads nowhere now, unless the rest says where
        ("it used to go down to my foot but not anymore", NONE),
        ("it used to go down my leg, it no longer does", NONE),
        ("it used to go to my calf but not any more, now only my buttock", ABOVE),
        ("down to my foot, the physio once helped but not anymore", BELOW),
        ("I had sciatica years ago but not now", NONE),
        ("my calf, before physio it was worse but not now", BELOW),
        # buttock, groin, hip, thigh: above the knee
        ("only into my buttock", ABOVE),
        ("my bum", ABOVE),
        ("into my butt", ABOVE),
        ("it radiates into my glutes", ABOVE),
        ("groin", ABOVE),
        ("sometimes my hip", ABOVE),
        ("top of my thigh", ABOVE),
        ("back of the thigh", ABOVE),
        ("hamstring area on the left", ABOVE),
        ("it goes into my sacroiliac area and hip", ABOVE),
        ("it goes into my left buttock but not past the knee", ABOVE),
        ("sometimes into my butt and thigh but never past the knee", ABOVE),
        ("it doesn't go below the knee", ABOVE),
        ("not below the knee, no", ABOVE),
        ("not past my thigh", ABOVE),
        # a limit not passed names where the pain stops
        ("No further than my hip.", ABOVE),
        ("no further than my buttock", ABOVE),
        ("doesn't go further than the back of my thigh", ABOVE),
        ("no further than my knee", ABOVE),
        ("it never goes lower than my bum", ABOVE),
        ("no pain in my foot, just the buttock", ABOVE),
        ("it goes to the top of my leg, the thigh, no further", ABOVE),
        ("hip and groin, never in the lower leg", ABOVE),
        ("strts in bak goes 2 my bum", ABOVE),
        # decision: reaching the knee is not below it
        ("down to my knee", ABOVE),
        ("only as far as the knee", ABOVE),
        ("down to the back of my knee", ABOVE),
        # below the knee
        ("down the back of my leg to my foot", BELOW),
        ("into my calf", BELOW),
        ("shin", BELOW),
        ("ankle", BELOW),
        ("heel", BELOW),
        ("toes", BELOW),
        ("pins and needles in my foot", BELOW),
        ("numbness in my foot", BELOW),
        ("shooting pain down to my toes", BELOW),
        ("below the knee", BELOW),
        ("sciatica down to my foot", BELOW),
        ("sciatica all the way down", BELOW),
        ("all the way down", BELOW),
        ("the whole leg", BELOW),
        ("buttock and thigh and sometimes the calf", BELOW),
        ("it goes past my knee", BELOW),
        ("further than my knee, down to my ankle", BELOW),
        ("no further than my knee, but sometimes my calf", BELOW),
        ("down to the knee and a bit below", BELOW),
        ("pain in my sheen and ankle", BELOW),
        ("goes in2 my calf", BELOW),
        # double negatives
        ("it's not like it never goes past my knee", BELOW),
        ("not that it doesn't reach my calf", BELOW),
        ("it doesn't stay in my back, it goes all the way to my foot", BELOW),
        # into the leg, level not said
        ("yes it goes down my leg", LEG),
        ("yeah into both legs", LEG),
        ("yes", LEG),
        ("my back hurts and sometimes my leg", LEG),
        ("sciatica", LEG),
        ("my legs feel heavy", LEG),
        ("spreads to my bottom and the back of my leg", LEG),
        ("yes into my bum and leg", LEG),
        ("it kind of spreads", ("leg_unspecified", True)),
        # hedged
        ("I think it goes to my foot", ("below_knee", True)),
        ("I think it sometimes reaches my calf", ("below_knee", True)),
        ("possibly the calf?", ("below_knee", True)),
        ("maybe down to the knee, maybe a bit further, hard to tell", ("below_knee", True)),
        ("into my leg, not sure how far", ("leg_unspecified", True)),
        # unclear or not an answer
        ("not into my foot", NU),
        ("not sure", DK),
        ("hard to describe really", DK),
        ("what does radiate mean?", NU),
        ("banana", NU),
        ("my legs are fine", ("none", False)),
        ("no, no leg pain at all", ("none", False)),
    ],
)
def test_pain_location(read, text, expected):
    assert read("pain_location", text) == expected


@pytest.mark.parametrize(("question", "text"), answers_except("radicular_pain"))
def test_an_answer_to_another_question_is_not_a_pain_location(read, question, text):
    assert read("pain_location", text) == NU


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # learner word order: "not" after the verb or the place
        ("in the leg it goes not", NONE),
        ("only in back, to legs it not goes", NONE),
        ("pain is in back, in legs not", NONE),
        ("it goes to the knee but under the knee not", ABOVE),
        ("in the leg also, to the foot", BELOW),
        # clinicians' shorthand
        ("L5 radiculopathy", LEG),
        ("no radiculopathy", NONE),
        ("axial only", NONE),
        ("axial pain with radiculopathy to the calf", BELOW),
    ],
)
def test_pain_location_in_learner_and_clinical_words(read, text, expected):
    assert read("pain_location", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The discomfort is confined to the lower back; my legs are quite unaffected.", NONE),
        ("It radiates into the thigh, although the knee and below are spared.", ABOVE),
        ("down to the knee and a bit below", BELOW),
        ("it is only back, leg not", NONE),
        ("to the thigh yes, under the knee no", ABOVE),
        ("in the foot no, but in the thigh yes", ABOVE),
    ],
)
def test_pain_location_formal_and_learner_denials(read, text, expected):
    assert read("pain_location", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # what it does now wins over what it used to do
        ("it used to stay in my back but not anymore, now it goes down into my calf", BELOW),
        ("it used to be just my back, not any more, now its down to my foot", BELOW),
        ("used to go down to my foot but now it stays in my back", NONE),
        # not knowing denies nothing; unsure at the knee: not known
        (
            "honestly i cant tell, sometimes i get a weird ache around the knee but i dont "
            "know if thats from my back",
            DK,
        ),
        ("i can't tell if it's from my back, my knee aches", DK),
        ("not sure, it doesnt go past my knee", ("above_knee", True)),
        ("i dont know, it goes into my calf i think", ("below_knee", True)),
    ],
)
def test_pain_location_now_and_unsure(read, text, expected):
    assert read("pain_location", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "I don't know if ...": what follows is asked, not said
        ("i don't know if it goes below the knee", DK),
        ("not sure if it goes past my knee", DK),
        ("i dont know if its related but my foot goes numb", ("below_knee", True)),
        # the question's word asked about is not said of the pain
        ("i dont know what radiate means, it stays in my back", NONE),
    ],
)
def test_pain_location_wondering(read, text, expected):
    assert read("pain_location", text) == expected
