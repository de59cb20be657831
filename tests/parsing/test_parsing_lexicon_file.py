"""The clinical vocabulary lives in a YAML file clinicians can review
(trialbot/parsing/clinical_terms.en.yml): it loads, has the shape the parsers expect, and a
malformed file is refused with the entry named."""

from __future__ import annotations

from pathlib import Path

import pytest

from trialbot.parsing import lexicon


def test_the_file_is_what_the_parsers_read() -> None:
    assert lexicon._load_phrases(lexicon.CLINICAL_TERMS) == lexicon.phrases()
    assert {"THERAPY", "FINDING", "BODY", "INTOLERANCE"} <= set(lexicon.phrases())
    assert "physio" in lexicon.phrases()["THERAPY"]["physiotherapy"]
    assert sum(len(p) for values in lexicon.phrases().values() for p in values.values()) > 500


def test_no_phrase_stands_for_two_values_of_one_label() -> None:
    for label, values in lexicon.phrases().items():
        seen: dict[str, str] = {}
        for value, phrases in values.items():
            for phrase in phrases:
                assert seen.setdefault(phrase, value) == value, (label, phrase, value)


def test_it_ships_with_the_package() -> None:
    pyproject = (Path(lexicon.__file__).parents[2] / "pyproject.toml").read_text()
    assert '"parsing/*.yml"' in pyproject


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("- a list\n", "labels at the top level"),
        ("therapy:\n  physio: [physio]\n", "'therapy' is not an upper-case label"),
        ("THERAPY:\n  physio: []\n", "THERAPY.physio has no list of phrases"),
        ("THERAPY:\n  physio: [Physio]\n", "write ['Physio'] in lower case"),
    ],
)
def test_a_malformed_file_is_refused_naming_the_entry(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = tmp_path / "clinical_terms.en.yml"
    path.write_text(text)
    with pytest.raises(ValueError, match=problem.replace("[", r"\[").replace("]", r"\]")):
        lexicon._load_phrases(path)
