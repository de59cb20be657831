import pytest
from parsing_expect import DK, NU

NONE = ("none", False)
ABOVE = ("above_knee", False)
BELOW = ("below_knee", False)
LEG = ("leg_unspecified", False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no, it stays in my back", NONE),
        ("no", NONE),
        ("nope just my lower back", NONE),
        ("it doesn't go into my legs", NONE),
        ("it doesn't radiate anywhere", NONE),
        ("only into my buttock", ABOVE),
        ("groin", ABOVE),
        ("sometimes my hip", ABOVE),
        ("top of my thigh", ABOVE),
        ("down to my knee", ABOVE),
        ("it doesn't go below the knee", ABOVE),
        ("not past my thigh", ABOVE),
        ("no pain in my foot, just the buttock", ABOVE),
        ("down the back of my leg to my foot", BELOW),
        ("into my calf", BELOW),
        ("shooting pain down to my toes", BELOW),
        ("below the knee", BELOW),
        ("sciatica down to my foot", BELOW),
        ("buttock and thigh and sometimes the calf", BELOW),
        ("it goes past my knee", BELOW),
        ("pain in my sheen and ankle", BELOW),
        ("yes it goes down my leg", LEG),
        ("yeah into both legs", LEG),
        ("yes", LEG),
        ("my back hurts and sometimes my leg", LEG),
        ("I think it goes to my foot", ("below_knee", True)),
        ("not into my foot", NU),
        ("not sure", DK),
        ("banana", NU),
    ],
)
def test_pain_location(read, text, expected):
    assert read("pain_location", text) == expected
