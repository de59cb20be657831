import pytest

from trialbot.parsing import detect_red_flags, topics_of


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I can't control my bladder", ["bladder_bowel"]),
        ("I've wet myself twice this week", ["bladder_bowel"]),
        ("lost control of my bowels", ["bladder_bowel"]),
        ("numbness between my legs", ["saddle_numbness"]),
        ("my bottom feels numb", ["saddle_numbness"]),
        ("saddle numbness", ["saddle_numbness"]),
        ("my legs keep giving way", ["leg_weakness"]),
        ("weakness in my left leg", ["leg_weakness"]),
        ("foot drop", ["leg_weakness"]),
        ("I can't lift my foot", ["leg_weakness"]),
        (
            "my legs are weak and I can't control my bladder, numb around my genitals",
            ["bladder_bowel", "saddle_numbness", "leg_weakness"],
        ),
        ("no problems with my bladder", []),
        ("my bladder is fine", []),
        ("no bladder or bowel problems", []),
        ("my legs are not weak", []),
        ("no numbness anywhere", []),
        ("it hurts down to my foot", []),
        ("my back hurts", []),
        ("", []),
    ],
)
def test_detect_red_flags(text, expected):
    assert detect_red_flags(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sorry, my pain actually started only 4 months ago", ["pain_duration"]),
        ("I've had it for 3 years actually", ["pain_duration"]),
        ("I'm actually 80", ["age"]),
        ("I was born in 1950", ["age"]),
        ("actually it does go down to my foot", ["radicular_pain"]),
        ("it doesn't go below the knee after all", ["radicular_pain"]),
        ("I forgot, I had a tumour removed", ["spinal_pathology"]),
        ("they found a slipped vertebra", ["spinal_pathology"]),
        ("I also tried physio", ["conservative_care"]),
        ("my MRI showed a bulging disc", ["mri"]),
        ("the SPECT lit up at two levels", ["spect_ct"]),
        ("I had a bad reaction to the tracer", ["spect_intolerance"]),
        ("my lower back pain is worse", ["low_back_pain"]),
        ("thanks, bye", []),
    ],
)
def test_topics_of(text, expected):
    assert topics_of(text) == expected
