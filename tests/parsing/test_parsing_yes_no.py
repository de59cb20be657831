import pytest
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
        ("sure", YES),
        ("of course", YES),
        ("I do", YES),
        ("definitely", YES),
        ("YES!!!", YES),
        ("no", NO),
        ("nope", NO),
        ("never", NO),
        ("not really", NO),
        ("nah", NO),
        ("none", NO),
        ("I don't", NO),
        ("of course not", NO),
        ("yes, no problem", YES),
        ("I guess so", YES_HEDGED),
        ("probably", YES_HEDGED),
        ("I think so", YES_HEDGED),
        ("I don't think so", NO_HEDGED),
        ("probably not", NO_HEDGED),
        ("dunno, probably not", NO_HEDGED),
        ("no idea", DK),
        ("not sure", DK),
        ("dunno", DK),
        ("I don't know", DK),
        ("I dont know", DK),
        ("can't remember", DK),
        ("what?", NU),
        ("banana", NU),
        ("hello", NU),
        ("yes and no", NU),
        ("yes... no", NU),
        ("", NU),
    ],
)
def test_yes_no(read, text, expected):
    assert read("yes_no", text) == expected
