"""Answers that belong to one question, for checking that other questions refuse them.

An answer to another question is not taken as this one's: "I'm 48" is not a yes to
"do you have low back pain?", "physio didn't help" is not a pain location.
"""

from __future__ import annotations

FOREIGN: dict[str, list[str]] = {
    "age": ["I'm 48", "I'm 62 years old", "born in 1971", "I'm sixty one"],
    "pain_duration": ["5 years", "about 2 years", "since 2019", "it started 4 months ago"],
    "radicular_pain": ["it goes into my calf", "into my bum", "goes down to my foot"],
    "conservative_care": [
        "physio didn't help",
        "physio and pills",
        "ibuprofen helped for a while",
        "I tried acupuncture",
    ],
    "spinal_pathology": ["no tumours", "spina bifida", "a slipped vertebra", "no cancer"],
    "mri": ["MRI showed bulging discs", "degenerated discs at L4-L5", "my MRI was normal"],
    "spect_ct": ["lit up at 3 levels", "2 levels lit up", "two hot spots"],
    "spect_intolerance": ["no reason", "I'm pregnant", "allergic to the tracer"],
    "contact": ["jana@example.com", "+420 603 111 222"],
}


def answers_except(*own: str) -> list[tuple[str, str]]:
    """(question, answer) for every foreign answer not in the ``own`` groups."""
    return [(group, text) for group, texts in FOREIGN.items() if group not in own for text in texts]
