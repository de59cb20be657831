import pytest

from trialbot.parsing import detect_red_flags, lexicon, topics_of
from trialbot.parsing.red_flags import RED_FLAGS

BLADDER, SADDLE, WEAK = ["bladder_bowel"], ["saddle_numbness"], ["leg_weakness"]
NUMB, FEVER, TRAUMA = ["leg_numbness"], ["fever"], ["trauma"]

RED_FLAG_PHRASINGS = [
    # loss of bladder or bowel control (cauda equina)
    ("I can't control my bladder", BLADDER),
    ("loss of bladder control", BLADDER),
    ("I lost control of my bladder, what do I do?", BLADDER),
    ("lost control of my bowels", BLADDER),
    ("I wet myself", BLADDER),
    ("I've wet myself twice this week", BLADDER),
    ("i pooed myself without noticing", BLADDER),
    ("I can't pee", BLADDER),
    ("i haven't been able to pee since yesterday", BLADDER),
    ("i'm struggling to pass urine and my back pain is much worse", BLADDER),
    ("my bladder doesn't empty properly any more", BLADDER),
    ("i keep having accidents, i can't hold my urine", BLADDER),
    ("i can't hold my bowels in", BLADDER),
    ("i've been incontinent since the pain got worse", BLADDER),
    ("i keep leaking urine since my back got worse", BLADDER),
    ("i can't tell when i need the toilet anymore", BLADDER),
    # saddle numbness
    ("numb between my legs", SADDLE),
    ("numbness between my legs", SADDLE),
    ("saddle numbness", SADDLE),
    ("numb around my bum", SADDLE),
    ("numb around my genitals", SADDLE),
    ("my bottom feels numb", SADDLE),
    ("the area around my bottom has gone numb", SADDLE),
    ("i have no sensation around my anus", SADDLE),
    ("i can't feel the toilet seat when i sit", SADDLE),
    ("i can't feel it when i wipe", SADDLE),
    ("no feeling down there during sex since my back got worse", SADDLE),
    ("numbness around my back passage", SADDLE),
    ("tingling and numbness in my inner thighs and genitals", SADDLE),
    # weakness of the legs, foot drop
    ("my legs are giving way", WEAK),
    ("my legs keep giving way", WEAK),
    ("sudden weakness in both legs", WEAK),
    ("weakness in my left leg", WEAK),
    ("foot drop", WEAK),
    ("can't lift my foot", WEAK),
    ("all of a sudden i can't move my toes", WEAK),
    ("my knee keeps buckling and the leg is getting weaker fast", WEAK),
    ("my leg has gone completely weak since this morning", WEAK),
    ("my foot is suddenly floppy and drags", WEAK),
    ("i can't walk, my legs are collapsing under me", WEAK),
    # sudden, spreading or both-sided numbness of the legs
    ("i've lost all feeling in my legs", NUMB),
    ("both feet went numb suddenly and i can't walk properly", WEAK + NUMB),
    ("my legs are numb and weak and it's getting worse by the hour", WEAK + NUMB),
    # fever, trauma
    ("fever and back pain", FEVER),
    ("I have a fever with the back pain", FEVER),
    ("I've been feverish and sweating at night with this back pain", FEVER),
    ("i've got a high temperature and my back is killing me", FEVER),
    ("after a bad fall", TRAUMA),
    ("the pain started after I fell off a ladder", TRAUMA),
    ("I slipped and fell on the ice yesterday and now my back is agony", TRAUMA),
    ("I hurt my back in a car accident last week", TRAUMA),
    ("I was hit by a car last week", TRAUMA),
    ("since the accident my back is agony", TRAUMA),
    # a denial or an old, unrelated event elsewhere in the message does not cancel one
    ("no fever but I can't pee", BLADDER),
    ("I'm not sure but I think I wet myself", BLADDER),
    ("I lost control of my bladder, but the fall years ago is unrelated", BLADDER),
    ("my leg went weak this morning, I had surgery years ago", WEAK),
    # several at once
    (
        "my legs are weak and I can't control my bladder, numb around my genitals",
        ["bladder_bowel", "saddle_numbness", "leg_weakness"],
    ),
]

NEAR_MISSES = [
    "worst in the mornings and after I work in the garden",
    "numb feeling in my back after sitting",
    "my legs get tired walking",
    "my legs ache after walking",
    "my legs feel heavy",
    # decision: a fall the candidate calls old or unrelated is not flagged
    "I had a fall years ago but that's not related",
    "I fell over last year, no injury",
    "my knee gave way once while hiking years ago",
    "I fell asleep on the sofa and woke up stiff",
    "since the fall of 2023",
    # bladder and bowel words without a loss of control
    "no bladder problems",
    "no problems with my bladder",
    "bladder is fine",
    "my bladder is fine",
    "my bowels are fine",
    "no bladder or bowel problems",
    "no fever, no bladder or bowel problems",
    "bladder and bowel control are normal",
    "bowel cancer screening was fine",
    "I wee a lot at night",
    "I get up to pee at night",
    "I have an overactive bladder",
    "I had a bladder infection last year",
    "I had a bladder scan",
    "I've been going to the toilet more",
    "irritable bowel syndrome",
    "I'm on the toilet a lot with IBS",
    "I was a bit wet from the rain",
    # radicular symptoms, not red flags
    "pins and needles in my foot sometimes",
    "my foot feels numb sometimes",
    "my leg goes numb when I sit too long",
    "tingling in my toes when I walk far",
    "numbness in my thigh",
    "it hurts down to my foot",
    "pain in my groin",
    # tiredness, denials
    "i'm weak from lack of sleep",
    "I feel weak and tired",
    "my back is weak",
    "the physio gave me exercises to strengthen weak legs",
    "my legs are not weak",
    "I don't have any weakness in my legs",
    "no numbness anywhere",
    "no numbness in the saddle area",
    "I haven't had a fever",
    "I had a high temperature last month with flu",
    # decision: cancer history and weight loss are for the candidate's doctor
    "I had breast cancer 10 years ago",
    "I had cancer and now new back pain",
    "I've lost a bit of weight on my diet",
    "my back hurts",
    "",
]


@pytest.mark.parametrize(("text", "expected"), RED_FLAG_PHRASINGS)
def test_red_flags_are_detected(text, expected):
    assert detect_red_flags(text) == [flag for flag in RED_FLAGS if flag in expected]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_are_not_red_flags(text):
    assert detect_red_flags(text) == []


def test_the_tables_are_large_enough():
    assert len(RED_FLAG_PHRASINGS) >= 30
    assert len(NEAR_MISSES) >= 30
    assert {flag for _, flags in RED_FLAG_PHRASINGS for flag in flags} == set(RED_FLAGS)


def test_every_red_flag_has_patterns():
    assert set(lexicon.RED_FLAG_PATTERNS) == set(RED_FLAGS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # one fact
        ("sorry, my pain actually started only 4 months ago", ["pain_duration"]),
        ("I've had it for 3 years actually", ["pain_duration"]),
        ("hang on, earlier I said two years but it's really just 5 months", ["pain_duration"]),
        ("I'm actually 80", ["age"]),
        ("I was born in 1950", ["age"]),
        ("actually it does go down to my foot", ["radicular_pain"]),
        ("it doesn't go below the knee after all", ["radicular_pain"]),
        ("it stays in my back", ["radicular_pain"]),
        ("only the lower back, nowhere else", ["radicular_pain"]),
        ("I forgot, I had a tumour removed", ["spinal_pathology"]),
        ("they found a slipped vertebra", ["spinal_pathology"]),
        ("I was born with spina bifida", ["spinal_pathology"]),
        ("I also tried physio", ["conservative_care"]),
        ("sorry, the physio only helped for a few weeks", ["conservative_care"]),
        ("my MRI showed a bulging disc", ["mri"]),
        ("degenerated discs at L4-L5", ["mri"]),
        ("the SPECT lit up at two levels", ["spect_ct"]),
        ("L4-L5 and L5-S1 were active", ["spect_ct"]),
        ("I had a bad reaction to the tracer", ["spect_intolerance"]),
        ("yes, I had a bad reaction to the tracer at my last bone scan", ["spect_intolerance"]),
        ("I'm 12 weeks pregnant", ["spect_intolerance"]),
        ("my lower back pain is worse", ["low_back_pain"]),
        # several facts in one message
        (
            "I'm 62, my back has hurt for 5 years and it goes into my left buttock "
            "but not past the knee",
            ["age", "pain_duration", "radicular_pain"],
        ),
        (
            "I'm 55, physio and painkillers didn't help, and the MRI showed worn discs",
            ["age", "conservative_care", "mri"],
        ),
        (
            "two injections and physio, the injections only helped for a few weeks",
            ["conservative_care"],
        ),
        (
            "physiotherapy for 3 months and tramadol, the pain is still there",
            ["conservative_care"],
        ),
        (
            "my back pain started 2 years ago and goes down to my calf",
            ["pain_duration", "radicular_pain"],
        ),
        (
            "no tumours, and the bone scan lit up at L4-L5 and L5-S1",
            ["spect_ct", "spinal_pathology"],
        ),
        (
            "I'm 70 and I'm claustrophobic",
            ["age", "spect_intolerance"],
        ),
        ("Yes, at two or more levels", ["spect_ct"]),
        # levels named with an MRI finding or a diagnosis are not the SPECT/CT's
        ("yes mri said degenerated discs at L4-L5 and L5-S1", ["mri"]),
        ("yes, a pars fracture at L5", ["spinal_pathology"]),
        # a word that appears is not a fact stated
        ("start over", []),
        ("No reason, I had the scan with the injection 2 years ago", ["spect_intolerance"]),
        ("my pain levels are high", []),
        ("I'm very active", []),
        ("bowel cancer screening was fine", []),
        ("numb between my legs", []),
        ("thanks, bye", []),
        ("", []),
        ("ok i agree, im 58 btw", ["age"]),  # no apostrophe
        ("im 3 months in", ["pain_duration"]),
    ],
)
def test_topics_of(text, expected):
    assert topics_of(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # learner English for an age is not a duration
        ("i have 54 years", ["age"]),
        ("he has 67 years", ["age"]),
        ("i have 45 years, pain is since 3 years", ["age", "pain_duration"]),
        ("i have 3 years pain", ["pain_duration"]),
    ],
)
def test_topics_of_learner_english(text, expected):
    assert topics_of(text) == expected
