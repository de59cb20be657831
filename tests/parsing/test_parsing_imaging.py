import pytest
from parsing_expect import DK, NU


def mri(had, *findings, hedged=False):
    return ({"had": had, "findings": list(findings)}, hedged)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I've never had an MRI", mri("no")),
        ("no", mri("no")),
        ("nope, not yet", mri("no")),
        ("yes but I don't know what it showed", mri("yes")),
        ("yes", mri("yes")),
        ("yes, it showed wear and tear", mri("yes", "degenerated_disc")),
        ("worn discs", mri("yes", "degenerated_disc")),
        ("my discs are a bit dehydrated", mri("yes", "degenerated_disc")),
        ("black discs at L4-5", mri("yes", "degenerated_disc")),
        ("DDD", mri("yes", "degenerated_disc")),
        ("degenrative disc disease", mri("yes", "degenerated_disc")),
        ("bulging disc and facet arthritis", mri("yes", "bulging_disc", "facet_arthropathy")),
        ("facet joint wear", mri("yes", "facet_arthropathy")),
        ("Modic changes", mri("yes", "modic_changes")),
        ("a slipped disc", mri("yes", "herniated_disc")),
        ("disc prolapse at L5-S1", mri("yes", "herniated_disc")),
        ("spinal stenosis", mri("yes", "stenosis")),
        ("no stenosis but worn discs", mri("yes", "degenerated_disc")),
        ("it was normal", mri("yes", "normal")),
        ("nothing was found", mri("yes", "normal")),
        ("all clear", mri("yes", "normal")),
        ("mostly normal, some wear and tear", mri("yes", "degenerated_disc")),
        ("I think a bulging disc", mri("yes", "bulging_disc", hedged=True)),
        # a slipped vertebra is spondylolisthesis, not an MRI finding here
        ("it showed a slipped vertebra", mri("yes")),
        ("not sure", DK),
        ("banana", NU),
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
        ("yes", spect("yes")),
        ("yes, it lit up at two levels", spect("yes", 2, True)),
        ("showed hot spots at L4-L5 and L5-S1", spect("yes", 2, True)),
        ("L4/5 and L5/S1 were positive", spect("yes", 2, True)),
        ("L3 to S1 lit up", spect("yes", 3, True)),
        ("positive at 3 levels", spect("yes", 3, True)),
        ("multiple levels", spect("yes", 2, True)),
        ("several hot spots", spect("yes", 2, True)),
        ("one level only", spect("yes", 1, True)),
        ("just L5-S1", spect("yes", 1, True)),
        ("yes, at L4/5 and L5/S1", spect("yes", 2, True)),
        ("a few levels", spect("yes", 2, True)),
        ("it was positive", spect("yes", None, True)),
        ("I think it lit up in two places", spect("yes", 2, True, hedged=True)),
        ("it was normal", spect("yes", 0, False)),
        ("negative", spect("yes", 0, False)),
        ("it didn't light up", spect("yes", 0, False)),
        ("no hot spots", spect("yes", 0, False)),
        ("what's that?", DK),
        ("not sure", DK),
        ("banana", NU),
    ],
)
def test_spect_ct(read, text, expected):
    assert read("spect_ct", text) == expected


YES, NO = ("yes", False), ("no", False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I had a bad reaction to the tracer", YES),
        ("bad reaction to the radioactive injection", YES),
        ("I'm allergic to the contrast", YES),
        ("allergic to the dye", YES),
        ("I can't have nuclear medicine scans", YES),
        ("I'm claustrophobic, I couldn't do the scanner", YES),
        ("yes", YES),
        ("I think I had a reaction", ("yes", True)),
        ("no problems", NO),
        ("I had one and was fine", NO),
        ("no", NO),
        ("nope, no reaction", NO),
        ("none", NO),
        ("never had one, don't know", DK),
        ("never had one", DK),
        ("dunno", DK),
        # an allergy to something else is not intolerance of SPECT
        ("I'm allergic to penicillin", ("no", True)),
        ("banana", NU),
    ],
)
def test_spect_intolerance(read, text, expected):
    assert read("spect_intolerance", text) == expected
