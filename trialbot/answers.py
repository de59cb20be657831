"""What a parsed answer is: the contract between the parsers and the engine.

Each question in a criteria file names the answer type it ``expects``. A parser for
that type turns the candidate's free text into a :class:`Parsed`:

* ``understood=False``: the text does not answer the question (gibberish, off-topic);
  the conversation re-asks once and then records it as unknown.
* ``understood=True, value=None``: the candidate said they do not know; the
  criterion stays unknown and the question is not asked again.
* ``understood=True, value=...``: a normalized, JSON-serialisable value (shapes below).

``hedged`` marks answers given with doubt ("I guess so", "I think about 8 months").
The engine never fails a criterion on a hedged answer alone; it leaves it unknown so
that the study team can ask.

Normalized value shapes, by answer type (``expects``):

========================  ==============================================================
``yes_no``                ``"yes"`` | ``"no"``
``age``                   ``int`` years
``duration``              ``{"months": float, "bound": "exact"|"more_than"|"less_than"}``;
                          a range ("six or seven months") adds its upper end ``"to": float``
``pain_location``         ``"none"`` (stays in the back) | ``"above_knee"`` (buttock, groin,
                          hip, thigh) | ``"below_knee"`` (calf, shin, foot, toes) |
                          ``"leg_unspecified"`` (goes into the leg, level not said)
``therapies``             ``{"tried": [therapy...], "relief": "none"|"temporary"|"lasting"|None}``
                          therapy in ``physiotherapy, medication, injections, chiropractic,
                          exercise, massage, acupuncture, other``; ``tried == []`` means none
``mri``                   ``{"had": "yes"|"no", "findings": [finding...]}``; finding in
                          ``degenerated_disc, bulging_disc, facet_arthropathy, modic_changes,
                          herniated_disc, stenosis, normal``
``spect_ct``              ``{"had": "yes"|"no", "levels": int|None, "positive": bool|None}``
``spinal_pathology``      ``{"conditions": [condition...], "other": [finding...]}`` with
                          condition in ``tumour, congenital_defect, spondylolysis,
                          spondylolisthesis``; ``other`` holds non-excluding findings such as
                          ``herniated_disc``; ``conditions == []`` means none of them
``spect_intolerance``     ``"yes"`` | ``"no"``
``name``                  ``str``
``phone``                 ``str`` in E.164 form (``+420601123456``)
``email``                 ``str`` lower-cased domain
========================  ==============================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Parsed:
    """The understanding of one free-text answer."""

    understood: bool
    value: Any = None
    hedged: bool = False
    # The candidate's words that decided the value (evidence for staff).
    evidence: str = ""
    # Why a contact detail was rejected, in plain language (phone, email, name only).
    problem: str | None = None
    # The doubt is the study team's to settle, not the candidate's (a cancer elsewhere
    # that may have spread; an allergy to CT dye, not to the tracer; claustrophobia):
    # hedged, and never said back for a yes that would turn it into an exclusion.
    for_team: bool = False

    @property
    def is_dont_know(self) -> bool:
        return self.understood and self.value is None

    @classmethod
    def not_understood(cls, problem: str | None = None) -> Parsed:
        return cls(understood=False, problem=problem)

    @classmethod
    def dont_know(cls, evidence: str = "") -> Parsed:
        return cls(understood=True, value=None, evidence=evidence)


ANSWER_TYPES = (
    "yes_no",
    "age",
    "duration",
    "pain_location",
    "therapies",
    "mri",
    "spect_ct",
    "spinal_pathology",
    "spect_intolerance",
    "name",
    "phone",
    "email",
)

# The facts the readers of every language can tell a message states, beside the answer to
# the pending question ("I'm 62, and it has hurt for 5 years": age, pain_duration). A
# question names the fact it asks about (``fact:`` in the criteria file), so that a
# message stating it fills that question too, and a correction of it finds its question.
FACTS = (
    "age",
    "low_back_pain",
    "pain_duration",
    "radicular_pain",
    "conservative_care",
    "mri",
    "spect_ct",
    "spinal_pathology",
    "spect_intolerance",
)
