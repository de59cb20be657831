import pytest
from foreign_answers import answers_except
from parsing_expect import DK, NU

YES, NO = ("yes", False), ("no", False)
YES_HEDGED, NO_HEDGED = ("yes", True), ("no", True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes", YES),
        ("Yes.", YES),
        ("yeah", YES),
        ("yep", YES),
        ("ya", YES),
        ("yh", YES),
        ("yessss", YES),
        ("ano", YES),
        ("sure", YES),
        ("of course", YES),
        ("I do", YES),
        ("I have", YES),
        ("Yes, I do.", YES),
        ("definitely", YES),
        ("YES!!!", YES),
        ("unfortunately", YES),
        ("I agree", YES),
        ("i consent", YES),
        ("fine", YES),
        ("go on then", YES),
        ("let's do it", YES),
        ("okie dokie", YES),
        ("alright", YES),
        ("k", YES),
        ("why not", YES),
        ("can't see why not", YES),
        ("I don't mind", YES),
        ("wouldn't mind", YES),
        ("sounds good", YES),
        ("happy to", YES),
        ("👍", YES),
        ("I'd like that", YES),
        ("that'd be great", YES),
        ("please do", YES),
        ("go for it", YES),
        ("yes, no problem", YES),
        # an opening yes answers, whatever follows
        ("yes — what is SPECT?", YES),
        ("yes but what happens with my data?", YES),
        ("yes, I'm 55 and have had back pain for years", YES),
        ("yes and it goes into my leg", YES),
        ("yes, and no, it doesn't go below the knee", YES),
        ("yes, but not by phone please", YES),
        ("of course, anything that might help", YES),
        # how often (the low back pain question asks "on most days")
        ("yeah most days", YES),
        ("I do, most days", YES),
        ("most days", YES),
        ("every single day", YES),
        ("all the time tbh", YES),
        ("it's constant", YES),
        ("pretty much constantly", YES),
        ("it's there most of the time", YES),
        ("not every day but most days", YES),
        ("not every day but most", YES),
        ("not every day, but most days yes", YES),
        ("there isn't a day when it doesn't hurt", YES),
        ("I can't remember a day without it", YES),
        ("it's there most mornings", YES),
        ("I wouldn't say most days", NO),
        ("rarely", NO),
        ("not most days, only now and then", NO),
        # decision: "only sometimes" is not most days as far as said: a hedged no
        ("only sometimes", NO_HEDGED),
        ("sometimes", NO_HEDGED),
        ("on and off", NO_HEDGED),
        ("comes and goes", NO_HEDGED),
        ("only when I lift heavy things", NO_HEDGED),
        # "every day" of a spell with gaps between is not most days; a negated gap is
        ("some weeks it's every day and then nothing for a month", NO_HEDGED),
        ("daily, then pain free for a couple of months", NO_HEDGED),
        ("every day, it's never gone for a week", YES),
        ("most days, some weeks it's worse", YES),
        ("no", NO),
        ("nope", NO),
        ("ne", NO),
        ("never", NO),
        ("not really", NO),
        ("nah", NO),
        ("none", NO),
        ("I don't", NO),
        ("of course not", NO),
        ("no, only occasionally", NO),
        ("nope, only when I lift heavy stuff", NO),
        ("no, it's mostly my neck", NO),
        ("not anymore, it went away last year", NO),
        ("no thanks, I'd rather not give out medical details", NO),
        ("I'd rather not", NO),
        ("I'd prefer not to", NO),
        ("I don't agree", NO),
        ("I do not consent", NO),
        ("no, I've changed my mind", NO),
        ("I'll pass", NO),
        ("not interested", NO),
        ("please don't", NO),
        ("only about this study", NO),
        # hedged
        ("I guess so", YES_HEDGED),
        ("suppose so", YES_HEDGED),
        ("probably", YES_HEDGED),
        ("probably yes", YES_HEDGED),
        ("I think so", YES_HEDGED),
        ("i guess so, most days", YES_HEDGED),
        ("I'd say so", YES_HEDGED),
        ("I don't think so", NO_HEDGED),
        ("probably not", NO_HEDGED),
        ("dunno, probably not", NO_HEDGED),
        # don't know
        ("maybe", DK),
        ("depends on the study", DK),
        ("I'd rather not say", DK),
        ("no idea", DK),
        ("not sure", DK),
        ("dunno", DK),
        ("I don't know", DK),
        ("I dont know", DK),
        ("can't remember", DK),
        # not an answer
        ("I'm 48", NU),
        ("does sciatica count?", NU),
        ("what is this?", NU),
        ("what?", NU),
        ("62", NU),
        ("banana", NU),
        ("hello", NU),
        ("my back hurts a lot", NU),
        ("yes and no", NU),
        ("yes... no", NU),
        ("", NU),
        ("I don't see why not", YES),
        ("don't see any reason why not", YES),
        # a hedge settled by a closing yes; doubt words still hedge
        ("i guess so, yes", YES),
        ("i think so. Yes.", YES),
        ("maybe i guess so, yes", YES_HEDGED),
        # "ok" only acknowledges what the bot said
        ("okay then no", NO),
        ("alright, then no, nothing", NO),
        ("ok, no problem", YES),
        # another part of the back only; counts per week
        ("it's my neck", NO),
        ("mainly between the shoulder blades", NO),
        # a yes that only adds where: the lower back
        ("mostly my lower back yeah", YES),
        ("yep, the small of my back", YES),
        ("mostly my lower back", NU),  # no yes word: this parser also reads consent
        ("i wouldnt say most days, maybe twice a week", NO),
        ("more days than not", YES),
        ("5 days a week", YES),
        ("5 days out of 7", YES),
        ("2 days a week", NO),
        ("a couple of times a week", NO),
        ("5 times a week", YES),
    ],
)
def test_yes_no(read, text, expected):
    assert read("yes_no", text) == expected


@pytest.mark.parametrize(("question", "text"), answers_except())
def test_an_answer_to_another_question_is_not_a_yes_or_no(read, question, text):
    assert read("yes_no", text) == NU


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a first answer taken back at once
        ("no wait, yes", YES),
        ("no, sorry, I mean yes", YES),
        ("no actually yes", YES),
        ("yes - oops, no", NO),
        ("yes... no", NU),
        ("no, sorry", NO),
        # doubt with a word in between, and other languages' yes and no
        ("I don't really know", DK),
        ("not quite sure", DK),
        ("ofc", YES),
        ("ja", YES),
        ("nein", NO),
    ],
)
def test_yes_no_taken_back_doubted_or_foreign(read, text, expected):
    assert read("yes_no", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Regrettably so.", YES),
        ("mhm", YES),
        ("na", NO),
        ("I'd have to ask her", DK),
    ],
)
def test_yes_no_formal_and_chat_words(read, text, expected):
    assert read("yes_no", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a denied denial is a yes
        ("i wouldnt say i dont have it", YES),
        ("I can't say it doesn't hurt most days", YES),
        ("i have it most days", YES),
        ("i still have it", YES),
    ],
)
def test_yes_no_double_negative_and_have_it(read, text, expected):
    assert read("yes_no", text) == expected
