import pytest
from parsing_expect import DK, NU


def found(*conditions, other=(), hedged=False):
    return ({"conditions": list(conditions), "other": list(other)}, hedged)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no, none of those", found()),
        ("non of thoes", found()),
        ("no", found()),
        ("nope", found()),
        ("nothing like that", found()),
        ("I don't think so", found(hedged=True)),
        ("no tumour, spina bifida or spondylolisthesis", found()),
        ("I had a tumour removed", found("tumour")),
        ("tumor", found("tumour")),
        ("cancer in my spine", found("tumour")),
        ("spina bifida", found("congenital_defect")),
        ("I was born with a spine defect", found("congenital_defect")),
        ("pars fracture", found("spondylolysis")),
        ("a stress fracture of the vertebra", found("spondylolysis")),
        ("spondylolysis", found("spondylolysis")),
        ("slipped vertebra", found("spondylolisthesis")),
        ("my vertebra slipped forward", found("spondylolisthesis")),
        ("spondy", found("spondylolisthesis")),
        ("spondilolisthesis", found("spondylolisthesis")),
        ("I think I might have spondylolisthesis", found("spondylolisthesis", hedged=True)),
        # disc problems are not exclusions
        ("herniated disc", found(other=["herniated_disc"])),
        ("slipped disc", found(other=["herniated_disc"])),
        ("bulging disc", found(other=["bulging_disc"])),
        ("no tumour, just a slipped disc", found(other=["herniated_disc"])),
        ("I don't have a tumour but I have scoliosis", found(other=["scoliosis"])),
        ("yes", NU),
        ("not sure", DK),
        ("banana", NU),
    ],
)
def test_spinal_pathology(read, text, expected):
    assert read("spinal_pathology", text) == expected
