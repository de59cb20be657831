import pytest
from foreign_answers import answers_except
from parsing_expect import DK, NU


def found(*conditions, other=(), hedged=False):
    return ({"conditions": list(conditions), "other": list(other)}, hedged)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # none of them, also with the exclusions denied
        ("no, none of those", found()),
        ("non of thoes", found()),
        ("no", found()),
        ("nope", found()),
        ("negative", found()),
        ("n/a", found()),
        ("nothing like that", found()),
        ("none, I've never had anything like that", found()),
        ("never been told any of that", found()),
        ("no, they said my vertebrae are all in line", found()),
        ("no crack, no slip", found()),
        ("I don't think so", found(hedged=True)),
        ("not that anyone told me", found(hedged=True)),
        ("no tumour, spina bifida or spondylolisthesis", found()),
        ("no tumours or anything, just a bulging disc", found(other=["bulging_disc"])),
        # ruled out, or a relative's
        ("they checked for cancer and it was clear", found()),
        ("no, I was checked for spondylolisthesis and it was negative", found()),
        ("my mum had spina bifida, I don't", found()),
        ("bowel cancer screening was fine", found()),
        # inflammatory spine disease and kyphosis are not excluding (not "spondylolysis")
        ("i have ankylosing spondylitis but none of those", found(other=["inflammatory"])),
        ("spondylitis", found(other=["inflammatory"])),
        ("Bechterew's disease", found(other=["inflammatory"])),
        ("kyphosis", found(other=["kyphosis"])),
        # tumour
        ("I had a tumour removed", found("tumour")),
        ("tumor", found("tumour")),
        ("cancer in my spine", found("tumour")),
        ("cancer in the spine", found("tumour")),
        ("a growth on my spine", found("tumour")),
        ("schwannoma at L3", found("tumour")),
        # decision: cancer of another organ may have spread; the team checks
        ("I had breast cancer 10 years ago", found("tumour", hedged=True)),
        # congenital defect
        ("spina bifida", found("congenital_defect")),
        ("I was born with a spine defect", found("congenital_defect")),
        ("I was born with spina bifida", found("congenital_defect")),
        # decision: "born with a curved spine" may be childhood scoliosis: hedged
        ("born with a curved spine", found("congenital_defect", other=["scoliosis"], hedged=True)),
        # spondylolysis
        ("pars fracture", found("spondylolysis")),
        ("a stress fracture of the vertebra", found("spondylolysis")),
        ("stress fracture in my back", found("spondylolysis")),
        ("a crack in a vertebra", found("spondylolysis")),
        ("spondylolysis", found("spondylolysis")),
        ("spondolysis", found("spondylolysis")),
        ("could be a crack, they want another scan", found("spondylolysis", hedged=True)),
        # spondylolisthesis
        ("slipped vertebra", found("spondylolisthesis")),
        ("my vertebra slipped forward", found("spondylolisthesis")),
        ("my spine slipped forward", found("spondylolisthesis")),
        # lay words for a vertebra out of line with the next one
        ("one vertebra is a bit out of line", found("spondylolisthesis")),
        ("they said a vertebra is out of place", found("spondylolisthesis")),
        ("the vertebra has shifted a little", found("spondylolisthesis")),
        ("L5 slipped over S1", found("spondylolisthesis")),
        ("my vertebra is out of place", found("spondylolisthesis")),
        ("vertebral slip", found("spondylolisthesis")),
        ("spondy", found("spondylolisthesis")),
        ("spondilolisthesis", found("spondylolisthesis")),
        ("I'm 60, and yes a slipped vertebra", found("spondylolisthesis")),
        (
            "herniated disc and a small slip of L4",
            found("spondylolisthesis", other=["herniated_disc"]),
        ),
        ("it's not that nobody mentioned a slipped vertebra, they did", found("spondylolisthesis")),
        ("I think I might have spondylolisthesis", found("spondylolisthesis", hedged=True)),
        # disc problems and other findings are not exclusions
        ("herniated disc", found(other=["herniated_disc"])),
        ("slipped disc", found(other=["herniated_disc"])),
        # a slipped disc is a herniated disc, not a slipped vertebra
        (
            "I think the doctor mentioned a slipped disc?",
            found(other=["herniated_disc"], hedged=True),
        ),
        ("bulging disc", found(other=["bulging_disc"])),
        ("degenerated discs at L4-L5", found(other=["degenerated_disc"])),
        ("no tumour, just a slipped disc", found(other=["herniated_disc"])),
        ("I don't have a tumour but I have scoliosis", found(other=["scoliosis"])),
        ("I have scoliosis since I was a kid", found(other=["scoliosis"])),
        ("no, only a bit of scoliosis", found(other=["scoliosis"])),
        # decision: a bare yes names no condition
        ("yes", NU),
        ("not sure", DK),
        ("no idea, nobody explained the scan", DK),
        ("what is spondylolysis?", NU),
        ("I had a bladder infection last year", NU),
        ("banana", NU),
        ("i had cancer but not in the spine", found("tumour", hedged=True)),
    ],
)
def test_spinal_pathology(read, text, expected):
    assert read("spinal_pathology", text) == expected


# MRI findings are read as non-excluding ``other`` findings (see above).
@pytest.mark.parametrize(("question", "text"), answers_except("spinal_pathology", "mri"))
def test_an_answer_to_another_question_is_not_a_pathology(read, question, text):
    assert read("spinal_pathology", text) == NU


@pytest.mark.parametrize(
    ("text", "spinal"),
    [
        ("I had prostate cancer and it spread to one of my vertebrae", True),
        ("breast cancer, spread to my spine", True),
        ("lung cancer with bone mets", True),
        ("breast cancer 10 years ago, never spread to the bones", False),
        ("bowel cancer, it did not spread anywhere", False),
        ("had breast cancer, all clear", False),
    ],
)
def test_a_cancer_elsewhere_that_reached_the_spine_is_a_spinal_tumour(text, spinal):
    """Spread to the spine: a tumour there, checked with the candidate like any other; not
    said to have spread: the team judges it (hedged, ``for_team``)."""
    from datetime import date

    from trialbot.parsing import parse

    reading = parse("spinal_pathology", text, today=date(2026, 12, 1))
    assert reading.value["conditions"] == ["tumour"]
    assert (reading.hedged, reading.for_team) == (not spinal, not spinal)
