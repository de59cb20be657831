import pytest
from foreign_answers import answers_except
from parsing_expect import DK, NU


def mri(had, *findings, hedged=False):
    return ({"had": had, "findings": list(findings)}, hedged)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I've never had an MRI", mri("no")),
        ("no", mri("no")),
        ("nope, not yet", mri("no")),
        ("haven't had one", mri("no")),
        ("not yet, I'm on the waiting list", mri("no")),
        # still to come (future tense) is not had; "another" is
        ("I'm going to have an MRI next week", mri("no")),
        ("I had an MRI, going to have another next month", mri("yes")),
        ("can't have MRI, I have a pacemaker", mri("no")),
        ("yes but I don't know what it showed", mri("yes")),
        ("had one but don't know the result", mri("yes")),
        ("had one last week, waiting for results", mri("yes")),
        ("yes", mri("yes")),
        # report words for wear
        ("yes, it showed wear and tear", mri("yes", "degenerated_disc")),
        ("wear & tear", mri("yes", "degenerated_disc")),
        ("worn discs", mri("yes", "degenerated_disc")),
        ("yeah my discs are shot", mri("yes", "degenerated_disc")),
        ("my discs are a bit dehydrated", mri("yes", "degenerated_disc")),
        ("desiccation", mri("yes", "degenerated_disc")),
        ("black discs at L4-5", mri("yes", "degenerated_disc")),
        ("dark disc", mri("yes", "degenerated_disc")),
        ("DDD", mri("yes", "degenerated_disc")),
        ("degenrative disc disease", mri("yes", "degenerated_disc")),
        ("osteochondrosis", mri("yes", "degenerated_disc")),
        ("loss of disc height at L4-5", mri("yes", "degenerated_disc")),
        ("nothing serious, just normal age-related wear", mri("yes", "degenerated_disc")),
        ("nothing wrong apart from a bit of wear", mri("yes", "degenerated_disc")),
        ("bulging disc and facet arthritis", mri("yes", "bulging_disc", "facet_arthropathy")),
        ("bulgin disc", mri("yes", "bulging_disc")),
        ("facet joint wear", mri("yes", "facet_arthropathy")),
        ("facet arthropathy", mri("yes", "facet_arthropathy")),
        ("arthritis in the spine", mri("yes", "facet_arthropathy")),
        (
            "facet joint hypertrophy and disc bulges",
            mri("yes", "bulging_disc", "facet_arthropathy"),
        ),
        ("I've had 3 MRIs, all showing wear", mri("yes", "degenerated_disc")),
        ("Modic changes", mri("yes", "modic_changes")),
        ("modic", mri("yes", "modic_changes")),
        ("a slipped disc", mri("yes", "herniated_disc")),
        ("disc prolapse at L5-S1", mri("yes", "herniated_disc")),
        ("no degeneration, just a small herniation", mri("yes", "herniated_disc")),
        ("spinal stenosis", mri("yes", "stenosis")),
        ("no stenosis but worn discs", mri("yes", "degenerated_disc")),
        # normal
        ("it was normal", mri("yes", "normal")),
        ("nothing was found", mri("yes", "normal")),
        ("nothing found", mri("yes", "normal")),
        ("all clear", mri("yes", "normal")),
        ("no abnormalities", mri("yes", "normal")),
        ("not degenerated, the doctor said the discs look healthy", mri("yes", "normal")),
        ("all normal, no wear", mri("yes", "normal")),
        ("mostly normal, some wear and tear", mri("yes", "degenerated_disc")),
        (
            "MRI in 2022 showed nothing, the new one shows a bulging disc at L4/5",
            mri("yes", "bulging_disc"),
        ),
        # decision: "normal for my age" is not a normal scan; the team reads the report
        ("normal for my age", mri("yes")),
        ("they said it was normal for my age", mri("yes")),
        ("they said its my age", mri("yes")),
        ("just ageing", mri("yes")),
        ("age related", mri("yes")),
        # so is "nothing serious": said of mild wear as often as of a clear scan
        ("yes, nothing serious", mri("yes")),
        ("the doctor said nothing to worry about", mri("yes")),
        # findings from another scan are not the MRI's
        ("CT showed worn discs, never had an MRI", mri("no")),
        ("no MRI, just an x-ray that showed arthritis", mri("no")),
        ("I think a bulging disc", mri("yes", "bulging_disc", hedged=True)),
        ("I think it showed some wear", mri("yes", "degenerated_disc", hedged=True)),
        # a slipped vertebra is spondylolisthesis, not an MRI finding here
        ("it showed a slipped vertebra", mri("yes")),
        ("not sure", DK),
        ("I'm not sure if it was an MRI or a CT", DK),
        ("what's an MRI?", NU),
        ("banana", NU),
        ("had one in october but haven't had the results yet", mri("yes")),
        ("they said it looked fine for my age", mri("yes")),
        ("yes, narrowing of the discs", mri("yes", "degenerated_disc")),
        ("before i answer - whats the difference between an mri and a ct?", NU),
        ("what? oh the tunnel one. yes, it showed worn discs", mri("yes", "degenerated_disc")),
        # the doctor's plain words for wear: a spine older than its owner
        ("they said my spine is like an 80 year olds", mri("yes", "degenerated_disc")),
        ("it was like an 80 yr old's spine", mri("yes", "degenerated_disc")),
        ("the discs of an eighty year old man", mri("yes", "degenerated_disc")),
        ("he said i have the spine of an old woman", mri("yes", "degenerated_disc")),
        ("my spine looks older than I am", mri("yes", "degenerated_disc")),
        ("my spine is like a 20 year old's", NU),
        # "X was negative" is the scan's result, not a scan not had
        ("mri was negative", mri("yes", "normal")),
        ("the mri was negative apart from some wear", mri("yes", "degenerated_disc")),
        ("mri came back normal", mri("yes", "normal")),
        ("ct was negative, never had an mri", mri("no")),
        # more lay and report words for worn discs and facet joints
        ("loss of signal in the discs", mri("yes", "degenerated_disc")),
        ("squashed discs", mri("yes", "degenerated_disc")),
        ("my discs have been squashed", mri("yes", "degenerated_disc")),
        ("the discs have collapsed", mri("yes", "degenerated_disc")),
        ("crumbling discs", mri("yes", "degenerated_disc")),
        ("bone on bone", mri("yes", "degenerated_disc")),
        ("narrowing between the vertebrae", mri("yes", "degenerated_disc")),
        ("oa of the facets", mri("yes", "facet_arthropathy")),
    ],
)
def test_mri(read, text, expected):
    assert read("mri", text) == expected


def spect(had, levels=None, positive=None, hedged=False):
    return ({"had": had, "levels": levels, "positive": positive}, hedged)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no never had one", spect("no")),
        ("nope", spect("no")),
        ("I haven't had one", spect("no")),
        ("booked for next month", spect("no")),
        ("no, what is it?", spect("no")),
        ("nope, only MRI", spect("no")),
        # levels said for the MRI are not the SPECT/CT's
        ("two levels on MRI, no SPECT yet", spect("no")),
        ("I've not had a SPECT/CT, just the MRI", spect("no")),
        ("yes", spect("yes")),
        ("had one but don't know the result", spect("yes")),
        ("had one but can't remember what it showed", spect("yes")),
        # two or more levels
        ("yes, it lit up at two levels", spect("yes", 2, True)),
        ("lit up at 3 levels", spect("yes", 3, True)),
        ("two hot spots", spect("yes", 2, True)),
        ("L4-L5 and L5-S1 were active", spect("yes", 2, True)),
        ("showed hot spots at L4-L5 and L5-S1", spect("yes", 2, True)),
        ("L4/5 and L5/S1 were positive", spect("yes", 2, True)),
        ("L3 to S1 lit up", spect("yes", 3, True)),
        ("had one in 2025, L3/4 + L4/5 + L5/S1 hot", spect("yes", 3, True)),
        ("positive at 3 levels", spect("yes", 3, True)),
        ("the nuclear scan showed 2 active levels", spect("yes", 2, True)),
        ("yes, 2", spect("yes", 2, True)),
        ("three", spect("yes", 3, True)),
        ("2+", spect("yes", 2, True)),
        ("2 lvls", spect("yes", 2, True)),
        ("not only one level, it was two", spect("yes", 2, True)),
        ("multiple levels", spect("yes", 2, True)),
        ("several hot spots", spect("yes", 2, True)),
        ("a few levels", spect("yes", 2, True)),
        ("a couple of levels", spect("yes", 2, True)),
        ("yes, at L4/5 and L5/S1", spect("yes", 2, True)),
        ("yes at 2 levels, I'm 58", spect("yes", 2, True)),
        (
            "yes, it showed active spots at 2 levels and my MRI showed bulging discs",
            spect("yes", 2, True),
        ),
        # one level
        ("one level", spect("yes", 1, True)),
        ("one level only", spect("yes", 1, True)),
        ("just the one level", spect("yes", 1, True)),
        ("only L5 lit up", spect("yes", 1, True)),
        ("just L5-S1", spect("yes", 1, True)),
        ("yes, 1", spect("yes", 1, True)),
        ("L5 left and right facets", spect("yes", 1, True)),
        # positive, count not given
        ("it was positive", spect("yes", None, True)),
        ("it lit up but I don't know how many levels", spect("yes", None, True)),
        # negative
        ("it was normal", spect("yes", 0, False)),
        ("negative", spect("yes", 0, False)),
        ("spect was negative", spect("yes", 0, False)),
        ("the bone scan came back clear", spect("yes", 0, False)),
        ("no spect yet", spect("no")),
        # two neighbours with only a space between are one segment
        ("only one hot spot at l5 s1", spect("yes", 1, True)),
        ("hot spots at l4 l5 and l5 s1", spect("yes", 2, True)),
        ("it showed activity in two of the joints", spect("yes", 2, True)),
        ("yes, it lit up in two places on the same level", spect("yes", 1, True)),
        ("it didn't light up", spect("yes", 0, False)),
        ("no hot spots", spect("yes", 0, False)),
        ("nothing lit up", spect("yes", 0, False)),
        ("they found nothing", spect("yes", 0, False)),
        # hedged
        ("I think it lit up in two places", spect("yes", 2, True, hedged=True)),
        ("maybe one spot", spect("yes", 1, True, hedged=True)),
        ("probably negative", spect("yes", 0, False, hedged=True)),
        # an MRI finding with levels is not a one-level SPECT/CT result
        ("degenerated discs at L4-L5", NU),
        ("what's that?", NU),
        ("whats a spect?", NU),
        ("I don't know if I had that one", DK),
        ("not sure", DK),
        ("banana", NU),
        ("what's that? no i don't think so", spect("no")),
        ("only 1", spect("yes", 1, True)),
        ("yes, had it in may but nobody told me the result", spect("yes")),
    ],
)
def test_spect_ct(read, text, expected):
    assert read("spect_ct", text) == expected


YES, NO = ("yes", False), ("no", False)
YES_HEDGED, NO_HEDGED = ("yes", True), ("no", True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # reasons
        ("I had a bad reaction to the tracer", YES),
        ("bad reaction to the radioactive injection", YES),
        ("allergic to the tracer", YES),
        ("last bone scan I came out in hives from the tracer", YES),
        ("I had anaphylaxis after a nuclear medicine scan", YES),
        ("I can't have nuclear medicine scans", YES),
        ("I'm claustrophobic, I couldn't do the scanner", YES),
        ("I'm pregnant", YES),
        ("I'm 12 weeks pregnant", YES),
        ("yes, I'm expecting a baby in April", YES),
        ("I'm not not pregnant, if you see what I mean", YES),
        ("I'm breastfeeding and pregnant again", YES),
        ("yes", YES),
        # decision: reasons the study team weighs are a hedged yes
        ("I'm claustrophobic", YES_HEDGED),
        ("I'm breastfeeding", YES_HEDGED),
        ("I'm scared of needles", YES_HEDGED),
        ("I reacted badly to the dye last time", YES_HEDGED),
        ("I'm allergic to the contrast", YES_HEDGED),
        ("allergic to the dye", YES_HEDGED),
        ("I'm trying to get pregnant", YES_HEDGED),
        ("I get very anxious in scanners", YES_HEDGED),
        ("I might be pregnant", YES_HEDGED),
        ("I think I had a reaction", YES_HEDGED),
        ("possibly, I felt odd after my last bone scan", YES_HEDGED),
        (
            "i'm not sure, i had a reaction to some injection at the hospital once but i don't "
            "know what it was",
            YES_HEDGED,
        ),
        # no reason
        ("no reason", NO),
        ("no, that's not right", NO),  # a reply to a confirmation: still a no
        ("No reason, I had the scan with the injection 2 years ago", NO),
        ("nope, had a nuclear scan last year and was fine", NO),
        ("none, I've never reacted to anything", NO),
        ("no problems", NO),
        ("I had one and was fine", NO),
        ("no", NO),
        ("nope, no reaction", NO),
        ("none", NO),
        ("no I'm not pregnant", NO),
        ("not pregnant, no allergies, no problems", NO),
        ("no, but I'm scared of needles", NO),
        ("I hate needles but I'd manage", NO),
        ("it's not that I can't, I just don't like scans", NO),
        ("happy to have it", NO),
        ("I can have it", NO),
        ("no contraindications", NO),
        ("nothing, I'm healthy apart from my back", NO),
        ("no, never had a problem with scans", NO),
        ("not that I know of", NO_HEDGED),
        ("I don't think so", NO_HEDGED),
        # an allergy to something else is not intolerance of SPECT
        ("I'm allergic to penicillin", NO_HEDGED),
        ("never had one, don't know", DK),
        ("never had one", DK),
        ("no idea, never had one", DK),
        ("dunno", DK),
        ("what's a tracer?", NU),
        ("banana", NU),
        ("no reason I couldnt have it", ("no", False)),
        ("I don't see why I couldn't have it", ("no", False)),
        ("i dont know of any reason", ("no", False)),
        ("no, no allergies", ("no", False)),
        ("alright, then no, nothing", ("no", False)),
        ("i'm claustrophobic in the MRI but a bone scan should be ok", ("no", False)),
        ("i'm not sure, i'd have to ask my doctor, i've had problems with injections before", DK),
    ],
)
def test_spect_intolerance(read, text, expected):
    assert read("spect_intolerance", text) == expected


@pytest.mark.parametrize(("question", "text"), answers_except("mri"))
def test_an_answer_to_another_question_is_not_an_mri(read, question, text):
    assert read("mri", text) == NU


@pytest.mark.parametrize(("question", "text"), answers_except("spect_ct"))
def test_an_answer_to_another_question_is_not_a_spect_ct(read, question, text):
    assert read("spect_ct", text) == NU


@pytest.mark.parametrize(("question", "text"), answers_except("spect_intolerance"))
def test_an_answer_to_another_question_is_not_an_intolerance(read, question, text):
    assert read("spect_intolerance", text) == NU


@pytest.mark.parametrize(
    ("expects", "text", "expected"),
    [
        ("mri", "Some disc wear", mri("yes", "degenerated_disc")),
        ("mri", "y, degen discs", mri("yes", "degenerated_disc")),
        (
            "mri",
            "yes, bulging discs and arthrosis",
            mri("yes", "bulging_disc", "facet_arthropathy"),
        ),
        # a fear said and waved away is no reason against the scan
        ("spect_intolerance", "scared of needles but ok", ("no", False)),
        ("spect_intolerance", "claustrophobic but manageable", ("no", False)),
        ("spect_intolerance", "I'm claustrophobic, I can't do scans", ("yes", False)),
    ],
)
def test_imaging_in_short_and_european_words(read, expects, text, expected):
    assert read(expects, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # kidney disease: a reason for the study team to weigh (hedged yes)
        ("my kidneys arent great", ("yes", True)),
        ("i am on dialysis", ("yes", True)),
        ("no, my kidneys are fine", ("no", False)),
        ("none, had kidney stones once", ("no", False)),
    ],
)
def test_spect_intolerance_kidneys(read, text, expected):
    assert read("spect_intolerance", text) == expected
