"""Scripted SPINUS II candidates and the logic that plays one through the REST channel.

Plain Python with no pytest and no I/O, so that the end-to-end tests and the benchmark
(``trialbot.devtools.bench``, which loads this file by path) play the same scripts.

A :class:`Candidate` answers whatever the bot asks from ``answers`` (question id → the
words, typed the way people type). A list holds successive answers to the same
question: the first ask gets the first, a re-ask the next. ``before`` sends messages
instead of answering when a question is first asked (an FAQ, "stop", "start over"), and
``after`` sends messages on the turn after a question was answered (a correction).
:class:`ScreeningScript` turns the bot's replies into the candidate's next message.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

OPENING = "hi"
CONFIRM = "confirm"  # the question id of "Just to check: ... Is that right?"
MAX_TURNS = 40  # a full screening is about 16 turns; more means the bot is looping

CRITERIA = (
    "inc_age",
    "inc_low_back_pain",
    "inc_chronic_failed_conservative",
    "inc_mri_degeneration",
    "inc_spect_ct_multilevel",
    "exc_spinal_pathology",
    "exc_spect_intolerance",
)
# The engine's order: candidate-verified questions first, imaging (records) last.
SCREENING = (
    "age",
    "low_back_pain",
    "radicular_pain",
    "pain_duration",
    "conservative_care",
    "spinal_pathology",
    "spect_intolerance",
    "mri",
    "spect_ct",
)
HANDOFF_CONTACT = ("contact_name", "contact_phone", "contact_email", "future_contact")
HANDOFF_OUTCOMES = frozenset({"likely_eligible", "possibly_eligible"})


def asked_until(last: str) -> tuple[str, ...]:
    """Consent and the screening questions up to and including ``last``."""
    return ("consent", *SCREENING[: SCREENING.index(last) + 1])


FULL = asked_until("spect_ct")


def all_pass(**overrides: str) -> dict[str, str]:
    verdicts = dict.fromkeys(CRITERIA, "pass")
    verdicts.update(overrides)
    return verdicts


@dataclass(frozen=True)
class Candidate:
    name: str
    answers: Mapping[str, str | Sequence[str]]
    outcome: str
    questions_asked: tuple[str, ...]
    criteria: Mapping[str, str] = field(default_factory=dict)  # the verdicts that matter
    before: Mapping[str, Sequence[str]] = field(default_factory=dict)
    after: Mapping[str, Sequence[str]] = field(default_factory=dict)
    # Words the bot must have said (case-insensitive), e.g. the reason for not_eligible.
    said: tuple[str, ...] = ()
    # Questions the bot must ask more than once (a re-ask, a repeat after a digression).
    repeated: tuple[str, ...] = ()
    # Expected stored answers: question id → a fragment of the stored value's JSON, or
    # None for "recorded as not understood / not known".
    stored: Mapping[str, Any] = field(default_factory=dict)
    # A bug reported and not yet fixed: the test is expected to fail (strictly).
    known_bug: str | None = None

    @property
    def handoff(self) -> bool:
        return self.outcome in HANDOFF_OUTCOMES

    def replies_to(self, question_id: str) -> list[str]:
        given = self.answers.get(question_id)
        if given is None:
            return []
        return [given] if isinstance(given, str) else list(given)


class UnexpectedQuestion(AssertionError):
    """The bot asked something the script has no (more) answers for."""


def question_of(message: Mapping[str, Any]) -> str | None:
    custom = message.get("custom")
    if isinstance(custom, Mapping) and isinstance(custom.get("question_id"), str):
        return custom["question_id"]
    return None


def asking(messages: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The last message of a reply that asks a question, if any."""
    for message in reversed(messages):
        if question_of(message):
            return message
    return None


@dataclass
class Turn:
    sent: str
    replies: list[dict[str, Any]]


@dataclass
class ScreeningScript:
    """Decides the candidate's next message from the bot's last reply."""

    candidate: Candidate
    sender: str = ""
    turns: list[Turn] = field(default_factory=list)
    asks: Counter[str] = field(default_factory=Counter)
    _used: Counter[str] = field(default_factory=Counter)
    _before_done: set[str] = field(default_factory=set)
    _pending: list[str] = field(default_factory=list)

    def first_message(self) -> str:
        return OPENING

    def record(self, sent: str, replies: list[dict[str, Any]]) -> None:
        self.turns.append(Turn(sent, replies))

    def next_message(self) -> str | None:
        """The next thing to send, or None when the bot asks nothing more."""
        if len(self.turns) >= MAX_TURNS:
            raise UnexpectedQuestion(
                f"{self.candidate.name}: still asking after {MAX_TURNS} turns\n{self.transcript()}"
            )
        replies = self.turns[-1].replies if self.turns else []
        message = asking(replies)
        question_id = question_of(message) if message else None
        if question_id:
            self.asks[question_id] += 1
        if self._pending:
            return self._pending.pop(0)
        if question_id is None:
            return None
        if question_id in self.candidate.before and question_id not in self._before_done:
            self._before_done.add(question_id)
            queued = list(self.candidate.before[question_id])
            self._pending.extend(queued[1:])
            return queued[0]
        if question_id == CONFIRM and CONFIRM not in self.candidate.answers:
            return "yes"  # the bot says back an excluding reading: the scripts mean it
        replies_for = self.candidate.replies_to(question_id)
        if self._used[question_id] >= len(replies_for):
            said = f"answered {replies_for!r}" if replies_for else "has no answer for it"
            raise UnexpectedQuestion(
                f"{self.candidate.name}: the bot asked {question_id!r} "
                f"(ask #{self.asks[question_id]}) but the script {said}\n{self.transcript()}"
            )
        answer = replies_for[self._used[question_id]]
        self._used[question_id] += 1
        self._pending.extend(self.candidate.after.get(question_id, ()))
        return answer

    def unused_answers(self) -> dict[str, list[str]]:
        """Scripted re-ask answers (list entries) the bot never asked for."""
        return {
            q: self.candidate.replies_to(q)[self._used[q] :]
            for q, given in self.candidate.answers.items()
            if not isinstance(given, str) and self._used[q] < len(given)
        }

    def bot_text(self) -> str:
        return "\n".join(
            str(m.get("text") or "") for turn in self.turns for m in turn.replies
        ).lower()

    def transcript(self) -> str:
        lines = []
        for turn in self.turns:
            lines.append(f"  you> {turn.sent[:200]!r}")
            for m in turn.replies:
                tag = f" [{question_of(m)}]" if question_of(m) else ""
                extra = f" custom={m['custom']}" if m.get("custom") and not question_of(m) else ""
                lines.append(f"  bot>{tag} {str(m.get('text') or '')[:300]}{extra}")
            if not turn.replies:
                lines.append("  bot> (no reply)")
        return "\n".join(lines)


# -- the candidates -------------------------------------------------------------------

JANA_CONTACT = {
    "contact_name": "Jana Testova",
    "contact_phone": "+420 601 123 456",
    "contact_email": "jana.testova@example.com",
    "future_contact": "yes please",
}
NO_MORE = {"future_contact": "no thanks"}

TEXTBOOK = {
    "consent": "Yes, I agree",
    "age": "52",
    "low_back_pain": "Yes",
    "radicular_pain": "It stays in my back",
    "pain_duration": "about 2 years",
    "conservative_care": "physio and painkillers, they didn't help",
    "spinal_pathology": "None of these",
    "spect_intolerance": "No reason",
    "mri": "yes, it showed worn discs",
    "spect_ct": "yes, at three levels",
}


def screened(**answers: str | Sequence[str]) -> dict[str, str | Sequence[str]]:
    """The textbook answers with some replaced (None-free)."""
    merged: dict[str, str | Sequence[str]] = dict(TEXTBOOK)
    merged.update(answers)
    return merged


def eligible(name: str, outcome: str = "likely_eligible", **kw: Any) -> Candidate:
    kw.setdefault("questions_asked", (*FULL, *HANDOFF_CONTACT))
    return Candidate(name=name, outcome=outcome, **kw)


def excluded(name: str, last: str, criterion: str, reason: str, **kw: Any) -> Candidate:
    """Not eligible at question ``last`` by ``criterion``; the bot must name ``reason``."""
    kw.setdefault("questions_asked", (*asked_until(last), "future_contact"))
    answers = {q: a for q, a in kw.pop("answers").items() if q in (*asked_until(last),)}
    answers.update(kw.pop("contact", NO_MORE))
    return Candidate(
        name=name,
        outcome="not_eligible",
        answers=answers,
        criteria={criterion: "fail", **kw.pop("criteria", {})},
        said=(reason, *kw.pop("said", ())),
        **kw,
    )


CANDIDATES: list[Candidate] = [
    # -- likely eligible, several phrasings ------------------------------------------
    eligible(
        "eligible_textbook",
        answers={**TEXTBOOK, **JANA_CONTACT},
        criteria=all_pass(),
        stored={"age": 52, "pain_duration": '"months": 24'},
    ),
    eligible(
        "eligible_casual_typos",
        answers={
            "consent": "ok sure",
            "age": "im 47",
            "low_back_pain": "yeah pretty much every day",
            "radicular_pain": "sometimes into my butt and thigh but never past the knee",
            "pain_duration": "3 yrs",
            "conservative_care": "tried physio, ibuprofen and a chiropracter, helped for a bit then it came back",
            "spinal_pathology": "nope none of those",
            "spect_intolerance": "no reason i know of",
            "mri": "yes mri said degenerated discs at L4-L5 and L5-S1",
            "spect_ct": "yes it lit up at 2 levels",
            "contact_name": "petr novak",
            "contact_phone": "601 987 654",
            "contact_email": "Petr.Novak@Example.org",
            "future_contact": "no",
        },
        criteria=all_pass(),
        stored={"age": 47, "radicular_pain": "above_knee"},
    ),
    eligible(
        "eligible_born_in_1970",
        answers={
            **TEXTBOOK,
            "age": "born in 1970",
            "radicular_pain": "no, it doesn't spread anywhere",
            "pain_duration": "since 2019",
            "conservative_care": "two injections and physio, the injections only helped for a few weeks",
            "spinal_pathology": "no",
            "spect_intolerance": "no",
            "mri": "The MRI showed arthritis in the facet joints",
            "spect_ct": "yes, it showed two levels",
            **JANA_CONTACT,
        },
        criteria=all_pass(),
    ),
    eligible(
        "eligible_without_imaging",
        answers={
            **TEXTBOOK,
            "age": "I'm 63",
            "mri": "I haven't had an MRI",
            "spect_ct": "no, never had one",
            **JANA_CONTACT,
        },
        criteria=all_pass(inc_mri_degeneration="unknown", inc_spect_ct_multilevel="unknown"),
    ),
    eligible(
        "eligible_imaging_results_unknown",
        answers={
            **TEXTBOOK,
            "mri": "yes I had one but I don't know what it showed",
            "spect_ct": "I'm not sure",
            **JANA_CONTACT,
        },
        criteria=all_pass(inc_mri_degeneration="unknown", inc_spect_ct_multilevel="unknown"),
    ),
    eligible(
        "eligible_over_six_months_in_words",
        answers={
            **TEXTBOOK,
            "age": "sixty one",
            "low_back_pain": "yes, every single day",
            "pain_duration": "well over six months",
            "conservative_care": "physiotherapy for 3 months and tramadol, the pain is still there",
            **JANA_CONTACT,
        },
        criteria=all_pass(),
    ),
    eligible(
        "clicks_every_button",
        answers={
            "consent": "Yes, I agree",
            "age": "45",
            "low_back_pain": "Yes",
            "radicular_pain": "Buttock, groin or thigh only",
            "pain_duration": "3 years",
            "conservative_care": "physio and pain medicine, no lasting relief",
            "spinal_pathology": "None of these",
            "spect_intolerance": "No reason",
            "mri": "Yes, it showed wear and tear",
            "spect_ct": "Yes, at two or more levels",
            **JANA_CONTACT,
            "future_contact": "Yes, please",
        },
        criteria=all_pass(),
    ),
    # -- hedged answers ----------------------------------------------------------------
    eligible(
        "hedged_but_passing",
        answers={
            **TEXTBOOK,
            "low_back_pain": "I guess so",
            "pain_duration": "I think about 8 months or so",
            **JANA_CONTACT,
        },
        criteria=all_pass(),
        stored={"low_back_pain": "yes", "pain_duration": '"months": 8'},
    ),
    eligible(
        "hedged_failing_answer_stays_unknown",
        outcome="possibly_eligible",
        answers={
            **TEXTBOOK,
            "pain_duration": "maybe 5 months? not really sure",
            "confirm": "not really sure",  # asked to confirm the guess, still not sure
            **JANA_CONTACT,
        },
        criteria=all_pass(inc_chronic_failed_conservative="unknown"),
    ),
    eligible(
        "hedged_below_knee_stays_unknown",
        outcome="possibly_eligible",
        answers={
            **TEXTBOOK,
            "radicular_pain": "I think it might go below the knee sometimes, not sure",
            "confirm": "not sure",  # asked to confirm the guess, still not sure
            **JANA_CONTACT,
        },
        criteria=all_pass(inc_low_back_pain="unknown"),
    ),
    # -- "I don't know" answers ---------------------------------------------------------
    eligible(
        "dont_know_spinal_pathology",
        outcome="possibly_eligible",
        answers={
            **TEXTBOOK,
            "spinal_pathology": "I'm not sure, nobody ever told me",
            **JANA_CONTACT,
        },
        criteria=all_pass(exc_spinal_pathology="unknown"),
        stored={"spinal_pathology": None},
    ),
    eligible(
        "dont_know_radiating_and_scan",
        outcome="possibly_eligible",
        answers={
            **TEXTBOOK,
            "radicular_pain": "I don't know",
            "spect_intolerance": "no idea",
            **JANA_CONTACT,
        },
        criteria=all_pass(inc_low_back_pain="unknown", exc_spect_intolerance="unknown"),
    ),
    # -- exclusions ----------------------------------------------------------------------
    excluded(
        "excluded_tumour",
        "spinal_pathology",
        "exc_spinal_pathology",
        "tumour",
        answers=screened(spinal_pathology="yes, they found a tumour on my spine last year"),
    ),
    excluded(
        "excluded_slipped_vertebra",
        "spinal_pathology",
        "exc_spinal_pathology",
        "spondylolisthesis",
        answers=screened(spinal_pathology="my doctor said I have a slipped vertebra"),
    ),
    excluded(
        "excluded_pars_fracture",
        "spinal_pathology",
        "exc_spinal_pathology",
        "spondylolysis",
        answers=screened(spinal_pathology="yes, a pars fracture at L5"),
    ),
    excluded(
        "excluded_spina_bifida",
        "spinal_pathology",
        "exc_spinal_pathology",
        "from birth",
        answers=screened(spinal_pathology="I was born with spina bifida"),
    ),
    excluded(
        "excluded_tracer_reaction",
        "spect_intolerance",
        "exc_spect_intolerance",
        "could not have one",
        answers=screened(
            spect_intolerance="yes, I had a bad reaction to the tracer at my last bone scan"
        ),
    ),
    # -- inclusion criteria failing ------------------------------------------------------
    excluded(
        "too_young_17_wants_future_studies",
        "age",
        "inc_age",
        "18 to 75",
        answers=screened(age="17"),
        contact={
            "future_contact": "yes",
            "contact_name": "Tomas Mlady",
            "contact_phone": "+420 602 111 222",
            "contact_email": "tomas@example.com",
        },
        questions_asked=(
            "consent",
            "age",
            "future_contact",
            "contact_name",
            "contact_phone",
            "contact_email",
        ),
    ),
    excluded("too_old_80", "age", "inc_age", "18 to 75", answers=screened(age="I'm 80")),
    excluded(
        "too_old_born_1940",
        "age",
        "inc_age",
        "18 to 75",
        answers=screened(age="born in 1940"),
    ),
    excluded(
        "no_low_back_pain",
        "low_back_pain",
        "inc_low_back_pain",
        "low back pain on most days",
        answers=screened(low_back_pain="no, it's mostly my neck"),
    ),
    excluded(
        "radiates_below_knee",
        "radicular_pain",
        "inc_low_back_pain",
        "below the knee",
        answers=screened(radicular_pain="it shoots down my leg past the knee into my foot"),
    ),
    excluded(
        "exactly_six_months",
        "pain_duration",
        "inc_chronic_failed_conservative",
        "more than 6 months",
        answers=screened(pain_duration="6 months"),
    ),
    excluded(
        "four_months",
        "pain_duration",
        "inc_chronic_failed_conservative",
        "more than 6 months",
        answers=screened(pain_duration="4 months"),
    ),
    excluded(
        "no_treatment_tried",
        "conservative_care",
        "inc_chronic_failed_conservative",
        "did not go away with treatments",
        answers=screened(conservative_care="nothing yet, I haven't tried anything"),
    ),
    excluded(
        "treatment_fixed_it",
        "conservative_care",
        "inc_chronic_failed_conservative",
        "did not go away with treatments",
        answers=screened(
            conservative_care="physio sorted it out completely, it went away for good"
        ),
    ),
    excluded(
        "mri_normal",
        "mri",
        "inc_mri_degeneration",
        "mri was normal",
        answers=screened(mri="yes, it was normal"),
        criteria={"inc_age": "pass", "exc_spect_intolerance": "pass"},
    ),
    excluded(
        "spect_one_level",
        "spect_ct",
        "inc_spect_ct_multilevel",
        "two or more levels",
        answers=screened(spect_ct="yes, it showed one active spot at L4"),
        criteria={"inc_mri_degeneration": "pass"},
    ),
    # -- digressions: an FAQ mid-questionnaire, then the same question again ------------
    eligible(
        "faq_spect_ct_before_scan_question",
        answers={**TEXTBOOK, **JANA_CONTACT},
        before={"spect_intolerance": ["what is a SPECT/CT scan?"]},
        criteria=all_pass(),
        said=("bone scan",),
        repeated=("spect_intolerance",),
    ),
    eligible(
        "faq_who_runs_it_before_age",
        answers={**TEXTBOOK, "age": "58", **JANA_CONTACT},
        before={"age": ["who is running this study?"]},
        criteria=all_pass(),
        said=("military university hospital",),
        repeated=("age",),
    ),
    eligible(
        "faq_payment_before_mri",
        answers={**TEXTBOOK, **JANA_CONTACT},
        before={"mri": ["do I get paid for this? and what are the risks"]},
        criteria=all_pass(),
        said=("study team will explain",),
        repeated=("mri",),
    ),
    # -- a correction after the answer -------------------------------------------------
    Candidate(
        name="correction_pain_only_four_months",
        answers=screened(**NO_MORE),
        after={"pain_duration": ["sorry, my pain actually started only 4 months ago"]},
        outcome="not_eligible",
        # conservative_care was asked (the correction came instead of its answer).
        questions_asked=(*asked_until("conservative_care"), "future_contact"),
        criteria={"inc_chronic_failed_conservative": "fail", "inc_age": "pass"},
        said=("more than 6 months",),
        stored={"pain_duration": '"months": 4'},
    ),
    # -- answers the bot cannot understand: one re-ask, then unknown --------------------
    eligible(
        "gibberish_twice_age_unknown",
        outcome="possibly_eligible",
        answers={**TEXTBOOK, "age": ["asdkjh qwepoi", "zzzz xx blorp"], **JANA_CONTACT},
        criteria=all_pass(inc_age="unknown"),
        said=("didn't catch your age",),
        repeated=("age",),
        stored={"age": None},
    ),
    eligible(
        "gibberish_once_then_understood",
        answers={
            **TEXTBOOK,
            "radicular_pain": ["flibber jabber", "only in my back"],
            **JANA_CONTACT,
        },
        criteria=all_pass(),
        repeated=("radicular_pain",),
        stored={"radicular_pain": "none"},
    ),
    # -- contact details ------------------------------------------------------------------
    eligible(
        "bad_phone_then_good",
        answers={
            **TEXTBOOK,
            **JANA_CONTACT,
            "contact_phone": ["12", "+420 601 123 456"],
        },
        criteria=all_pass(),
        repeated=("contact_phone",),
    ),
    eligible(
        "bad_email_then_good",
        answers={
            **TEXTBOOK,
            **JANA_CONTACT,
            "contact_email": ["jana.testova@", "jana.testova@example.com"],
        },
        criteria=all_pass(),
        repeated=("contact_email",),
    ),
    eligible(
        "phone_skipped_email_only",
        answers={**TEXTBOOK, **JANA_CONTACT, "contact_phone": "skip"},
        criteria=all_pass(),
    ),
    # -- consent, stop, start over --------------------------------------------------------
    Candidate(
        name="declined_consent",
        answers={"consent": "No, thanks"},
        outcome="declined",
        questions_asked=(),
    ),
    Candidate(
        name="stop_midway",
        answers=screened(),
        before={"pain_duration": ["stop"]},
        outcome="incomplete",
        questions_asked=asked_until("pain_duration"),
        criteria={"inc_age": "pass", "inc_chronic_failed_conservative": "unknown"},
        stored={"age": 52, "radicular_pain": "none"},
    ),
    eligible(
        "start_over_after_three_answers",
        answers={
            **TEXTBOOK,
            "consent": ["yes", "yes"],
            "age": ["40", "44"],
            "low_back_pain": ["yes", "yes"],
            "radicular_pain": ["it stays in my back", "only in my back"],
            **JANA_CONTACT,
        },
        before={"pain_duration": ["start over"]},
        criteria=all_pass(),
        stored={"age": 44},
    ),
]

BY_NAME = {c.name: c for c in CANDIDATES}
assert len(BY_NAME) == len(CANDIDATES), "candidate names must be unique"
