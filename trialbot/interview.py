"""The interview: how trialbot treats each message of a screening.

Pure core logic, like the engine it drives: no Rasa, no store, no I/O. The Rasa action
(``actions/interview.py``) is a thin adapter: it reads the interview state from one slot
and the answers from the store, calls :func:`turn`, applies the returned store
operations in one transaction and sends the replies.

How a message is treated (README, "How a message is treated"):

* **Red flags first**, at any point: the urgent-care warning comes alone, naming the
  trial's emergency numbers, is stored on the screening, and the conversation goes on.
* **Commands** in their own words ("stop", "start over", "go back", "help", "talk to a
  person", "delete my data") — recognised by phrase, never from an answer.
* **Answer first.** With a question pending, the message is read as its answer, and also
  for answers to questions not yet asked; a confident answer is taken whatever the
  intent model says. Only a message holding no answer is a question, chitchat or noise.
* **Confirm before excluding.** A reading that would make the candidate not eligible is
  said back in plain words and confirmed (yes/no) before it is stored.
* **Never loops.** A question is asked at most three times in a row; after the second
  miss it is recorded as not known and the interview moves on.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from trialbot import languages, messages
from trialbot.answers import Parsed
from trialbot.conversation import SKIPPED, Step, contact_role, next_step, reachable
from trialbot.criteria import GlossaryEntry, Question, Trial
from trialbot.engine import evaluate_criterion
from trialbot.parsing import one_message, parse
from trialbot.verdicts import Answer, Evaluation, Outcome, Verdict

# A message longer than this is cut before it is read (a chat answer is never longer).
MAX_MESSAGE_CHARS = 2000
# Times one question may be asked in a row, whatever route the messages took.
MAX_ASKS = 3
# Answers not understood before the question is recorded as not known.
MAX_MISSES = 2
# Times one question may be asked in a whole screening, by any route; "go back"s allowed.
MAX_TOTAL_ASKS = 6
MAX_BACKS = 3
# More unknown candidate-verified criteria than this: no "possibly eligible".
MAX_UNKNOWN_FOR_HANDOFF = 2

GIVEN = "given"  # a contact detail was stored (the state never holds the detail)

# Pseudo question ids of the interview's own yes/no questions (payload ``question_id``).
CONFIRM = "confirm"
RESUME = "resume"
ERASE = "erase"
CALL_WHOM = "call_whom"  # asked of someone answering for another person


# --- what goes in and out --------------------------------------------------------------


@dataclass(frozen=True)
class Incoming:
    """One candidate message, with what the NLU model made of it (hints only)."""

    text: str
    intent: str | None = None
    intent_confidence: float = 0.0
    faq_id: str | None = None  # a confident ResponseSelector pick of the trial's FAQ
    chitchat: str | None = None  # the ResponseSelector's small-talk reply, if any
    new_session: bool = False  # the first message after a break
    # The question a button's payload names ("/answer{...}"): a tap on an old button is
    # acknowledged, never stored against the question now on screen.
    question_id: str | None = None
    # When the channel received the message and when this turn runs (seconds since the
    # epoch): a resend that arrived before the previous answer was handled is a double tap.
    received_at: float | None = None
    now: float | None = None


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[str, ...] = ()
    payload: Mapping[str, Any] | None = None


# Store operations, applied in order in one transaction by the adapter.
@dataclass(frozen=True)
class Start:
    restart: bool = False


@dataclass(frozen=True)
class RecordConsent:
    agreed: bool


@dataclass(frozen=True)
class AskedQuestion:
    question_id: str
    attempt: int


@dataclass(frozen=True)
class RecordAnswer:
    question_id: str
    text: str
    parsed: Parsed


@dataclass(frozen=True)
class SaveEvaluation:
    evaluation: Evaluation


@dataclass(frozen=True)
class SaveContact:
    role: str  # name | phone | email | future_contact
    value: str | bool


@dataclass(frozen=True)
class RecordFlags:
    red_flags: tuple[str, ...] = ()
    answered_by: str | None = None  # "relative" when someone answers for another person
    relationship: str | None = None  # the candidate, to the one answering: "mother"...
    call_whom: str | None = None  # candidate | answerer | either | not_said


@dataclass(frozen=True)
class Complete:
    evaluation: Evaluation


@dataclass(frozen=True)
class Stop:
    pass


@dataclass(frozen=True)
class Resume:
    pass


@dataclass(frozen=True)
class Erase:
    pass


Operation = (
    Start
    | RecordConsent
    | AskedQuestion
    | RecordAnswer
    | SaveEvaluation
    | SaveContact
    | RecordFlags
    | Complete
    | Stop
    | Resume
    | Erase
)


@dataclass(frozen=True)
class Turn:
    replies: tuple[Reply, ...]
    operations: tuple[Operation, ...]
    state: dict[str, Any]


# --- the state between messages ---------------------------------------------------------

PHASES = ("new", "consent", "screening", "contact", "done", "declined", "stopped")


@dataclass
class State:
    """The interview's memory between messages: small, JSON-serialisable, no contact
    details (those go only to the store). The answers themselves are in the store."""

    phase: str = "new"
    pending: str | None = None  # the question on screen
    asks: int = 0  # times ``pending`` was asked in a row
    misses: int = 0  # answers to ``pending`` that were not understood
    # A reading waiting for the candidate's yes/no: {"question", "text", "parsed"}.
    confirm: dict[str, Any] | None = None
    refused: dict[str, int] = field(default_factory=dict)  # "no" to a confirmation
    contact: dict[str, str] = field(default_factory=dict)  # question id -> marker
    history: list[str] = field(default_factory=list)  # answered questions, in order
    outcome_told: str | None = None
    warned_reach: bool = False
    erase_asked: bool = False
    resume_asked: bool = False
    answered_by: str | None = None
    relationship: str | None = None
    call_whom: str | None = None
    red_flags: list[str] = field(default_factory=list)
    asked_total: dict[str, int] = field(default_factory=dict)  # every ask, any route
    backs: int = 0  # "go back"s in this screening
    # The last message taken as an answer: a short digest of its words (never the words)
    # and when it was handled, to tell a double tap from a new answer.
    last_answer: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "phase": self.phase,
            "pending": self.pending,
            "asks": self.asks,
            "misses": self.misses,
            "confirm": self.confirm,
            "refused": dict(self.refused),
            "contact": dict(self.contact),
            "history": list(self.history),
            "outcome_told": self.outcome_told,
            "warned_reach": self.warned_reach,
            "erase_asked": self.erase_asked,
            "resume_asked": self.resume_asked,
            "answered_by": self.answered_by,
            "relationship": self.relationship,
            "call_whom": self.call_whom,
            "red_flags": list(self.red_flags),
            "asked_total": dict(self.asked_total),
            "backs": self.backs,
            "last_answer": dict(self.last_answer) if self.last_answer else None,
        }

    @classmethod
    def from_dict(cls, data: Any) -> State:
        """A state from a slot's value; anything malformed falls back to the defaults."""
        if not isinstance(data, Mapping):
            return cls()
        state = cls()

        def pick(name: str, kind: type | tuple[type, ...], default: Any) -> Any:
            value = data.get(name, default)
            return value if isinstance(value, kind) else default

        state.phase = pick("phase", str, "new")
        if state.phase not in PHASES:
            state.phase = "new"
        state.pending = pick("pending", str, None)
        state.asks = pick("asks", int, 0)
        state.misses = pick("misses", int, 0)
        state.confirm = pick("confirm", dict, None)
        state.refused = {k: v for k, v in pick("refused", dict, {}).items() if isinstance(v, int)}
        state.contact = {k: v for k, v in pick("contact", dict, {}).items() if isinstance(v, str)}
        state.history = [q for q in pick("history", list, []) if isinstance(q, str)]
        state.outcome_told = pick("outcome_told", str, None)
        state.warned_reach = pick("warned_reach", bool, False)
        state.erase_asked = pick("erase_asked", bool, False)
        state.resume_asked = pick("resume_asked", bool, False)
        state.answered_by = pick("answered_by", str, None)
        state.relationship = pick("relationship", str, None)
        state.call_whom = pick("call_whom", str, None)
        state.red_flags = [f for f in pick("red_flags", list, []) if isinstance(f, str)]
        state.asked_total = {
            k: v for k, v in pick("asked_total", dict, {}).items() if isinstance(v, int)
        }
        state.backs = pick("backs", int, 0)
        state.last_answer = pick("last_answer", dict, None)
        return state


# --- phrases ----------------------------------------------------------------------------
# What the interview recognises itself (commands, consent words, relatives, questions back)
# is per language: trialbot.languages.<code>.

_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\s*\n\s*")
_CLAUSE = re.compile(r"[.!?;:,\n]|\s[-–—]+\s")


def command_of(text: str, lang: str = "en") -> str | None:
    """The command a whole message gives ("stop", "restart", ...), or None."""
    return languages.get(lang).phrases.command_of(text)


def _digest(lowered: str) -> str:
    """A short digest of a message's words, to recognise the same message again."""
    words = " ".join(re.findall(r"\w+", lowered))
    return hashlib.sha256(words.encode("utf-8")).hexdigest()[:12]


def _lowered(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


# --- the interview -------------------------------------------------------------------


def turn(
    trial: Trial,
    state: Mapping[str, Any] | State | None,
    incoming: Incoming,
    answers: Mapping[str, Answer],
    today: date,
) -> Turn:
    """Treat one candidate message: the replies, the store operations, the new state.

    ``answers`` are the screening's stored answers (the store is their record);
    ``today`` dates relative answers ("since Easter two years ago").
    """
    current = state if isinstance(state, State) else State.from_dict(state)
    interview = _Interview(trial, current, incoming, dict(answers), today)
    with one_message():  # the message is analysed once, however often it is read
        interview.run()
    return Turn(tuple(interview.replies), tuple(interview.ops), interview.state.to_dict())


class _Interview:
    def __init__(
        self,
        trial: Trial,
        state: State,
        incoming: Incoming,
        answers: dict[str, Answer],
        today: date,
    ) -> None:
        self.trial = trial
        self.lang = trial.language
        self.language = languages.get(trial.language)
        self.phrases = self.language.phrases
        self.state = state
        self.incoming = incoming
        self.answers = answers
        self.today = today
        self.replies: list[Reply] = []
        self.ops: list[Operation] = []
        self.flagged = False
        raw = incoming.text if isinstance(incoming.text, str) else ""
        self.too_long = len(raw) > MAX_MESSAGE_CHARS
        self.text = raw[:MAX_MESSAGE_CHARS].strip()
        self.lowered = _lowered(self.text)
        # The question on screen when the message came ("what is it?" is about its word).
        self.shown = state.pending
        self.relative_noted = False  # "it's for my dad" was noticed in this message

    # -- helpers ------------------------------------------------------------------------

    def say(self, key: str, /, **values: object) -> None:
        self.replies.append(Reply(messages.render(key, lang=self.lang, **values)))

    def _text(self, key: str, /, **values: object) -> str:
        return messages.render(key, lang=self.lang, **values)

    def read(self, question: Question, text: str | None = None) -> Parsed:
        return self.parse(question.expects, self.text if text is None else text)

    def parse(self, expects: str, text: str) -> Parsed:
        """``text`` read as an answer of type ``expects``, in the trial's language, with
        the candidate's age when it is known ("since my 50th birthday")."""
        return parse(expects, text, today=self.today, language=self.lang, age=self._known_age())

    def _own_age_from_a_relative(self, question: Question) -> bool:
        """Someone answering for another person gave an age in the first person ("im
        45") to the question about the age: their own, most likely."""
        return (
            self.state.answered_by == "relative"
            and question.id in self.trial.questions_about(["age"])
            and bool(self.phrases.own_age.search(self.lowered))
            and not self.phrases.relative.search(self.lowered)
        )

    def _known_age(self) -> int | None:
        asked = self.trial.questions_about(["age"])
        answer = self.answers.get(asked[0]) if asked else None
        if answer is None or answer.parsed.hedged or not isinstance(answer.parsed.value, int):
            return None
        return answer.parsed.value

    def _questions_stated(self) -> list[str]:
        """The trial's questions about the facts the message states ("I'm 62 and it
        goes into my calf": the questions whose ``fact`` is age and radicular_pain)."""
        return self.trial.questions_about(self.language.facts_of(self.text))

    @property
    def consented(self) -> bool:
        return self.state.phase in ("screening", "contact", "done")

    def step(self) -> Step:
        return next_step(self.trial, self.answers, self.state.contact)

    # -- the message --------------------------------------------------------------------

    def run(self) -> None:
        if self._stale_button() or self._double_tap():
            return
        private = self.state.phase == "contact"
        self._treat()
        answered = (
            not private
            and any(isinstance(op, (RecordAnswer, SaveContact)) for op in self.ops)
            or any(isinstance(op, RecordConsent) and op.agreed for op in self.ops)
        )
        self.state.last_answer = (
            {"digest": _digest(self.lowered), "at": self.incoming.now}
            if answered and self.incoming.now is not None
            else None
        )

    def _treat(self) -> None:
        if self.too_long:
            self.say("message_too_long", limit=MAX_MESSAGE_CHARS)
        self._red_flags()
        self._relative()
        phase = self.state.phase
        if phase == "new":
            self._open()
        elif phase == "consent":
            self._consent()
        elif phase in ("screening", "contact"):
            self._answering()
        elif phase == "stopped":
            self._stopped()
        else:
            self._after()

    # -- double taps and old buttons ------------------------------------------------------

    def _on_screen(self) -> str | None:
        """The id of what the candidate is being asked now (a question or a pseudo id)."""
        state = self.state
        if state.erase_asked:
            return ERASE
        if state.phase == "stopped":
            return RESUME if state.resume_asked else None
        if state.phase not in ("consent", "screening", "contact"):
            return None
        if state.confirm is not None:
            return CONFIRM
        return state.pending

    def _stale_button(self) -> bool:
        """A tap on a button of an earlier question: acknowledged, nothing stored."""
        named = self.incoming.question_id
        if named is None or named == self._on_screen() or self.state.phase == "new":
            return False
        self.say("button_stale")
        self._prompt_again()
        return True

    def _double_tap(self) -> bool:
        """The answer just handled, sent again before the candidate could have seen the
        next question (a double tap, a resend): not an answer to the next question."""
        last = self.state.last_answer
        received = self.incoming.received_at
        if not last or received is None or self.incoming.question_id is not None:
            return False
        handled = last.get("at")
        if not isinstance(handled, (int, float)) or received > handled:
            return False
        if last.get("digest") != _digest(self.lowered):
            return False
        self.state.last_answer = None  # only once: the same words again are an answer
        self.say("double_tap")
        self._prompt_again()
        return True

    def _prompt_again(self) -> None:
        """What is on screen, once more, without counting it as an ask."""
        on_screen = self._on_screen()
        if on_screen == CONFIRM and self.state.confirm is not None:
            confirm = self.state.confirm
            question = self.trial.question(str(confirm.get("question")))
            reading = Parsed(
                True, confirm.get("value"), evidence=str(confirm.get("evidence") or "")
            )
            self._send_confirmation(question, reading, self._verdicts_with(question, reading))
        elif on_screen in (ERASE, RESUME):
            options = (self._text("option_yes"), self._text("option_no"))
            key = "erase_confirm" if on_screen == ERASE else "welcome_back"
            self.replies.append(
                Reply(
                    self._text(key),
                    options,
                    {"question_id": on_screen, "expects": "yes_no", "options": list(options)},
                )
            )
        elif on_screen == CALL_WHOM:
            self.replies.append(self._whom_reply())
        elif on_screen is not None and self.trial.has_question(on_screen):
            self.replies.append(self.question_reply(self.trial.question(on_screen), short=True))

    def _red_flags(self) -> None:
        flags = self.language.red_flags(self.text) if self.text else []
        self.flagged = bool(flags)
        if not flags:
            return
        # The answer is read from the other sentences ("yes. I can't control my bladder").
        sentences = [p for p in _SENTENCE.split(self.text) if p.strip()]
        rest = [p for p in sentences if not self.language.red_flags(p)]
        if rest and len(rest) < len(sentences):
            self.text = " ".join(p.strip() for p in rest)
            self.lowered = _lowered(self.text)
        emergency = self.trial.emergency
        self.say(
            "red_flag", emergency=emergency.text if emergency else self._text("emergency_generic")
        )
        new = [f for f in flags if f not in self.state.red_flags]
        self.state.red_flags.extend(new)
        if new and self.consented:
            self.ops.append(RecordFlags(red_flags=tuple(self.state.red_flags)))

    def _relative(self) -> None:
        """Someone answering for another person ("it's for my mum", "she is 67"): noted
        (with who they are to the candidate), and at the contact details they are asked
        whom the study team should call."""
        if self.state.answered_by:
            return
        pattern = self.phrases.relative
        matches = list(pattern.finditer(self.lowered))
        if not matches:
            return
        # the match that names the relationship, if any ("yes, it's for my mum, she is 70")
        match = next((m for m in matches if any(m.groupdict().values())), matches[0])
        word = match.group("rel") or match.group("rel2") or self.phrases.candidate_is_of(match)
        self.relative_noted = True
        self.state.answered_by = "relative"
        self.state.relationship = self.phrases.relationship.get(word, word) if word else None
        if self.consented:
            self.ops.append(self._flags())
        self.say("relative_noted")

    def _flags(self) -> RecordFlags:
        """The screening's flags as the state knows them."""
        return RecordFlags(
            red_flags=tuple(self.state.red_flags),
            answered_by=self.state.answered_by,
            relationship=self.state.relationship,
            call_whom=self.state.call_whom,
        )

    # -- before consent ------------------------------------------------------------------

    def _open(self, *, restart: bool = False, greet: bool = True) -> None:
        """The first message (or one after a refusal or "start over"): introduce the
        study and ask for consent. A question in it is answered first."""
        # "can I join?": the introduction and the consent question are the answer
        answered = self._answer_question(unknown=not self.phrases.go.search(self.lowered))
        if not answered and greet and self.phrases.greeting.search(self.lowered):
            self.say("greeting")
        self.ops.append(Start(restart=restart))
        self.state = State(
            red_flags=self.state.red_flags,
            answered_by=self.state.answered_by,
            relationship=self.state.relationship,
        )
        self.say("study_intro", short_title=self.trial.short_title, summary=self.trial.summary)
        self._ask(self.trial.consent_question)
        self.state.phase = "consent"

    def _consent(self) -> None:
        question = self.trial.consent_question
        command = self.phrases.command_of(self.text)
        if command in ("stop",):
            self._decline()
            return
        if command == "human":
            self._contact_block()
            self._ask(question, short=True)
            return
        if command == "erase":
            self.say("erase_nothing_stored")
            self._ask(question, short=True)
            return
        reading = self._consent_reading(question)
        go = self._go(reading)
        if reading.understood and reading.value == "no":
            self._decline()
            return
        if (reading.understood and reading.value == "yes") or go or command in ("continue",):
            self._agree()
            return
        if self._answer_question() or self._small_talk():
            self._ask_again(question, short=True)
            return
        self._missed(question)

    def _go(self, reading: Parsed) -> bool:
        """ "sign me up", "I want to take part": a wish to begin that counts as agreeing,
        unless the words also say no, maybe or not sure ("not sure I want to take part",
        "maybe I'll take part later")."""
        return (
            bool(self.phrases.go.search(self.lowered))
            and not reading.understood
            and not self.phrases.unsure.search(self.lowered)
        )

    def _consent_reading(self, question: Question) -> Parsed:
        """Consent in people's words: a leading "no" or "yes" decides ("no, let's not.
        maybe another time" is a no), then the yes/no reading."""
        # ... also after a filler ("hmm ok, no, I'd rather not"): the first words decide.
        stripped = self.phrases.filler.sub("", self.lowered)
        for said in dict.fromkeys((self.lowered, stripped)):
            for value, pattern in (
                ("no", self.phrases.leading_no),
                ("yes", self.phrases.leading_yes),
            ):
                if pattern.match(said):
                    if self.phrases.not_now.search(self.lowered):
                        value = "no"  # "ok, maybe later"
                    return Parsed(understood=True, value=value)
        if self.phrases.not_now.search(self.lowered):
            return Parsed(understood=True, value="no")  # "I'd like to, but not now"
        reading = self.read(question)
        if reading.understood and reading.value == "yes" and reading.hedged:
            return Parsed.dont_know()  # "maybe": consent is never assumed
        return reading

    def _decline(self) -> None:
        self.ops.append(RecordConsent(agreed=False))
        self.state = State(phase="declined")  # only the fact of declining is kept
        self.say("consent_declined")

    def _agree(self, *, restart: bool = False) -> None:
        if restart:
            self.ops.append(Start(restart=True))
            self.state = State(red_flags=self.state.red_flags)
        question = self.trial.consent_question
        self.ops.append(RecordConsent(agreed=True))
        self.ops.append(RecordAnswer(question.id, self.text, Parsed(understood=True, value="yes")))
        self.answers[question.id] = Answer(question.id, self.text, Parsed(True, "yes"))
        self.state.phase = "screening"
        self.state.pending = None
        if self.state.red_flags or self.state.answered_by:
            self.ops.append(self._flags())
        extras = self._extract(exclude=None)
        self._record_extras(extras)
        start = len(self.replies)
        self._advance()
        asked = len(self.replies)
        if self._answer_question(also=True):
            # "yes - what happens next?": answered before the first question
            self.replies[start:] = self.replies[asked:] + self.replies[start:asked]

    # -- answering questions ---------------------------------------------------------------

    def _answering(self) -> None:
        pending = self.state.pending
        if pending == CALL_WHOM:
            self._whom_answer()
            return
        if pending is None or not self.trial.has_question(pending):
            self._advance()
            return
        question = self.trial.question(pending)
        if self.state.erase_asked:
            self._erase_reply(question)
            return
        if self.state.confirm is not None:
            self._confirmation(question)
            return
        command = self.phrases.command_of(self.text)
        if command is not None and command != "continue":
            self._command(command, question)
            return
        if self._correction(question):
            return
        if self._plain_question() and self._answer_question():
            self._ask_again(question)  # "what is an MRI?" is a question, not an answer
            return
        term = self._term_question()
        if term is not None:  # "what's radiate mean": no question mark, still no answer
            self.replies.append(Reply(term.definition))
            self._ask_again(question)
            return
        if question.phase == "contact":
            self._contact(question)
            return
        reading = self.read(question)
        if reading.understood and self._own_age_from_a_relative(question):
            # "im 45" from someone answering for their mother: their age, not hers
            self.say("relative_own_age")
            self._ask_again(question)
            return
        extras = self._extract(exclude=question.id)
        if reading.understood:
            start = len(self.replies)
            self._take(question, reading, extras)
            asked = len(self.replies)
            if self.state.confirm is None and self._answer_question(also=True):
                # what the message asked is answered before the next question comes
                self.replies[start:] = self.replies[asked:] + self.replies[start:asked]
            return
        if extras:
            self._record_extras(extras, acknowledge=True)
            self._advance()
            return
        if self.incoming.new_session and not self._answer_question():
            # Back after a break: "hello again" is not a miss.
            self.say("welcome_back_continue")
            self._ask(question)
            return
        if (
            self._answer_question()
            or self._small_talk()
            or command == "continue"
            or self.relative_noted  # "sorry, it's my dad who has the pain" is not a miss
        ):
            self._ask_again(question)
            return
        self._missed(question)

    def _take(self, question: Question, reading: Parsed, extras: dict[str, Parsed]) -> None:
        """An understood answer to the pending question: confirm it first when it would
        exclude the candidate, otherwise store it (with the other answers it held)."""
        verdicts = self._verdicts_with(question, reading)
        # A doubt that is the study team's (``for_team``: a cancer elsewhere, an allergy to
        # CT dye) is stored as it is: a "yes" to "a tumour?" would not settle it.
        if Verdict.FAIL.value in verdicts.values() and not reading.for_team:
            self._ask_confirmation(question, reading, verdicts)
            if extras:
                self._record_extras(extras)
            return
        self._record(question, self.text, reading)
        if extras:
            self._record_extras(extras)
        if extras:
            self._acknowledge({question.id: reading, **extras})
        self._advance()

    def _verdicts_with(self, question: Question, reading: Parsed) -> dict[str, str]:
        """What each criterion fed by ``question`` would be with this reading, taken as
        said (a hedge does not soften it: the candidate is asked to confirm)."""
        sure = replace(reading, hedged=False)
        answers = {**self.answers, question.id: Answer(question.id, self.text, sure)}
        return {
            c.id: evaluate_criterion(c, answers).verdict.value
            for c in self.trial.criteria
            if question.id in c.questions
        }

    def _ask_confirmation(
        self, question: Question, reading: Parsed, verdicts: dict[str, str]
    ) -> None:
        self.state.confirm = {
            "question": question.id,
            "text": self.text[:500],
            "value": reading.value,
            "hedged": reading.hedged,
            "evidence": reading.evidence,
            "asks": 1,
        }
        self._send_confirmation(question, reading, verdicts)

    def _send_confirmation(
        self, question: Question, reading: Parsed, verdicts: dict[str, str]
    ) -> None:
        options = (self._text("option_yes"), self._text("option_no"))
        text = self._text("confirm_reading", understood=self.describe(question, reading))
        self.replies.append(
            Reply(
                text,
                options,
                {
                    "question_id": CONFIRM,
                    "confirms": question.id,
                    "verdicts": verdicts,
                    "expects": "yes_no",
                    "options": list(options),
                },
            )
        )

    def _confirmation(self, question: Question) -> None:
        """The reply to "Just to check: ... Is that right?"."""
        confirm = self.state.confirm or {}
        reading = Parsed(
            understood=True,
            value=confirm.get("value"),
            hedged=False,
            evidence=str(confirm.get("evidence") or ""),
        )
        said = str(confirm.get("text") or "")
        yes_no = self.parse("yes_no", self.text)
        command = self.phrases.command_of(self.text)
        if command in ("stop", "restart", "erase", "human", "back"):
            self.state.confirm = None
            self._command(command, question)
            return
        if yes_no.understood and yes_no.value == "yes":
            self.state.confirm = None
            self._record(question, said, reading)
            self._advance()
            return
        # "No" — or a new answer ("no, it only goes to my thigh"): the next answer
        # replaces the reading. Only what follows the yes/no is read as the new answer:
        # "no, that's not right" says nothing about the question itself.
        rest = self.phrases.confirm_reply.sub("", self.lowered).strip(" ,.!-")
        again = self.read(question, rest) if rest else Parsed.not_understood()
        said_no = yes_no.understood and yes_no.value == "no"
        if again.understood and again.value is not None and again.value != reading.value:
            self.state.confirm = None
            self._take(question, again, {})
            return
        if said_no:
            self.state.confirm = None
            refused = self.state.refused.get(question.id, 0) + 1
            self.state.refused[question.id] = refused
            if refused >= 2 or self.state.asks >= MAX_ASKS:
                self.say("noted_not_sure")
                self._record(question, said, Parsed.not_understood())
                self._advance()
                return
            self.say("confirm_corrected")
            self._ask(question, buttons=True)  # the question itself, with easy buttons
            return
        if yes_no.is_dont_know or self.phrases.unsure.search(self.lowered):
            # "not (really) sure": kept as a guess, which never excludes
            self.state.confirm = None
            self._record(question, said, replace(reading, hedged=True))
            self._advance()
            return
        if self._answer_question() or self._small_talk():
            self._send_confirmation(question, reading, self._verdicts_with(question, reading))
            return
        asks = int(confirm.get("asks") or 1)
        if asks >= 2:  # never exclude without a yes: the team can ask
            self.state.confirm = None
            self.say("noted_not_sure")
            self._record(
                question, said, Parsed(True, reading.value, hedged=True, evidence=reading.evidence)
            )
            self._advance()
            return
        confirm["asks"] = asks + 1
        self.state.confirm = confirm
        self._send_confirmation(question, reading, self._verdicts_with(question, reading))

    def _missed(self, question: Question) -> None:
        """Not understood, and not a question either."""
        self.state.misses += 1
        if question.phase == "consent":
            if self.state.asks >= MAX_ASKS:
                self.say("consent_no_answer")
                self.state = State(red_flags=self.state.red_flags)
                return
            self._ask(question, reask=True)
            return
        if self.state.misses >= MAX_MISSES or self.state.asks >= MAX_ASKS:
            self._give_up(question)
            return
        self._ask(question, reask=True)

    def _ask_again(self, question: Question, *, short: bool = False) -> None:
        """The pending question again after a digression (a question, small talk)."""
        if self.state.asks >= MAX_ASKS and question.phase != "consent":
            self._give_up(question)
            return
        if self.state.asks >= MAX_ASKS + 1:
            self.say("consent_no_answer")
            self.state = State(red_flags=self.state.red_flags)
            return
        self._ask(question, short=short)

    def _give_up(self, question: Question) -> None:
        """Asked enough: record "not known" (or skip a contact detail) and move on."""
        if question.phase == "contact":
            self.say("noted_skip")
            self._contact_done(
                question, SKIPPED if contact_role(question) != "future_contact" else "no"
            )
            return
        self.say("noted_not_sure")
        self._record(question, self.text, Parsed.not_understood())
        self._advance()

    # -- several answers in one message ------------------------------------------------------

    def _extract(self, exclude: str | None) -> dict[str, Parsed]:
        """Confident answers to other, not yet answered screening questions."""
        if not self.text:
            return {}
        found: dict[str, Parsed] = {}
        for question_id in self._questions_stated():
            if question_id == exclude or question_id in self.answers:
                continue
            if not self.trial.has_question(question_id):
                continue
            question = self.trial.question(question_id)
            if question.phase != "screening" or not self._candidate_knows(question):
                continue
            reading = self.read(question)
            if not reading.understood or reading.value is None or reading.hedged:
                continue
            if Verdict.FAIL.value in self._verdicts_with(question, reading).values():
                continue  # an exclusion is confirmed when its own question comes
            found[question_id] = reading
        return found

    def _candidate_knows(self, question: Question) -> bool:
        """Whether the question feeds a criterion the candidate can settle. Scan results
        are only ever taken from their own question: "degenerated discs at two levels"
        in an MRI answer says nothing about the SPECT/CT."""
        return any(
            c.verified_by == "candidate" and question.id in c.questions for c in self.trial.criteria
        )

    def _record_extras(self, extras: dict[str, Parsed], *, acknowledge: bool = False) -> None:
        for question_id, reading in extras.items():
            self._record(self.trial.question(question_id), self.text, reading, evaluate=False)
        if extras:
            self._save_evaluation()
        if acknowledge:
            self._acknowledge(extras)

    def _acknowledge(self, readings: dict[str, Parsed]) -> None:
        parts = [self.describe(self.trial.question(q), r) for q, r in readings.items()]
        self.say("got_it", understood="; ".join(parts))

    # -- storing -------------------------------------------------------------------------

    def _record(
        self, question: Question, text: str, reading: Parsed, *, evaluate: bool = True
    ) -> None:
        self.answers[question.id] = Answer(question.id, text, reading)
        self.ops.append(RecordAnswer(question.id, text, reading))
        if question.id in self.state.history:
            self.state.history.remove(question.id)
        self.state.history.append(question.id)
        if evaluate:
            self._save_evaluation()

    def _save_evaluation(self) -> None:
        self.ops.append(SaveEvaluation(self.step().evaluation))

    # -- what comes next -------------------------------------------------------------------

    def _advance(self) -> None:
        """Tell a final outcome once, then ask the plan's next question or finish."""
        step = self.step()
        evaluation = step.evaluation
        if step.screening_done and self.state.outcome_told is None:
            if self._too_little_known(evaluation):
                self._finish_unsure(evaluation)
                return
            self._tell_outcome(evaluation)
        if step.question_id is None:
            self._finish(evaluation)
            return
        question = self.trial.question(step.question_id)
        self.state.phase = "contact" if question.phase == "contact" else "screening"
        if (
            question.phase == "contact"
            and contact_role(question) != "future_contact"  # details to note: whose?
            and self.state.answered_by
            and not self.state.call_whom
        ):
            self._ask_whom()
            return
        self._ask(question)

    # -- someone answering for another person ---------------------------------------------

    def _whom_reply(self) -> Reply:
        options = (self._text("option_call_them"), self._text("option_call_me"))
        return Reply(
            self._text("call_whom"),
            options,
            {"question_id": CALL_WHOM, "expects": "choice", "options": list(options)},
        )

    def _ask_whom(self) -> None:
        same = self.state.pending == CALL_WHOM
        self.state.asks = self.state.asks + 1 if same else 1
        self.state.pending = CALL_WHOM
        self.replies.append(self._whom_reply())

    def _whom_answer(self) -> None:
        """The reply to "whom should the study team call?"; asked at most twice."""
        command = self.phrases.command_of(self.text)
        whom = self.phrases.whom_of(self.lowered)
        unsure = self.parse("yes_no", self.text).is_dont_know or bool(
            self.phrases.unsure.search(self.lowered)
        )
        if whom is None and command is None and not unsure and self.state.asks < 2:
            if not (self._answer_question() or self._small_talk()):
                self.say("call_whom_again")
            self._ask_whom()
            return
        self.state.call_whom = whom or "not_said"
        self.ops.append(self._flags())
        self.state.pending = None
        step = self.step()
        if step.question_id is None:
            self._advance()
            return
        if whom is not None:
            self.say(f"call_whom_{whom}")
        if command is not None and command != "continue":
            question = self.trial.question(step.question_id)
            self.state.pending = question.id
            self._command(command, question)
            return
        self._advance()

    def _too_little_known(self, evaluation: Evaluation) -> bool:
        if evaluation.outcome is not Outcome.POSSIBLY_ELIGIBLE:
            return False
        unknown = [
            c
            for c in self.trial.criteria
            if c.verified_by == "candidate" and evaluation.results[c.id].verdict is Verdict.UNKNOWN
        ]
        return len(unknown) > MAX_UNKNOWN_FOR_HANDOFF

    def _tell_outcome(self, evaluation: Evaluation) -> None:
        outcome = evaluation.outcome
        if outcome is Outcome.NOT_ELIGIBLE:
            reason = evaluation.failed[0].reason if evaluation.failed else ""
            self.say("outcome_not_eligible", reason=reason)
        elif outcome.hands_off:
            self.say("outcome_may_suit")
        self.state.outcome_told = outcome.value

    def _finish_unsure(self, evaluation: Evaluation) -> None:
        """Too much is unknown to say the study might suit: no handoff, an invitation."""
        unsure = Evaluation(evaluation.results, Outcome.INCOMPLETE, None)
        self.ops.append(Complete(unsure))
        self.state.outcome_told = Outcome.INCOMPLETE.value
        self.state.phase = "done"
        self.state.pending = None
        self.say("outcome_too_unsure")
        self._contact_block()

    def _finish(self, evaluation: Evaluation) -> None:
        self.ops.append(Complete(evaluation))
        self.state.phase = "done"
        self.state.pending = None
        self.state.asks = 0
        if evaluation.outcome.hands_off:
            self.say("finish_handoff", contact_name=self.trial.contact.name)
            details = ", ".join(
                d for d in (self.trial.contact.phone, self.trial.contact.email) if d
            )
            if details:
                self.say("study_contact_details", contact_details=details)
        else:
            if self.state.contact.get(self._opt_in_id() or "") == "yes":
                self.say("future_contact_kept")
            self.say("finish_not_eligible")

    def _opt_in_id(self) -> str | None:
        return next(
            (q.id for q in self.trial.contact_questions if contact_role(q) == "future_contact"),
            None,
        )

    def _ask(
        self,
        question: Question,
        *,
        reask: bool = False,
        short: bool = False,
        buttons: bool = False,
    ) -> None:
        total = self.state.asked_total.get(question.id, 0) + 1
        self.state.asked_total[question.id] = total
        if total > MAX_TOTAL_ASKS and question.phase != "consent":
            # However the messages went round (go back, corrections), never a loop.
            if question.id in self.answers or question.id in self.state.contact:
                self._advance()
                return
            self.state.pending = question.id
            self._give_up(question)
            return
        same = self.state.pending == question.id
        self.state.asks = self.state.asks + 1 if same else 1
        if not same:
            self.state.misses = 0
        self.state.pending = question.id
        self.ops.append(AskedQuestion(question.id, self.state.asks))
        self.replies.append(
            self.question_reply(question, reask=reask, short=short, buttons=buttons)
        )

    def question_reply(
        self,
        question: Question,
        *,
        reask: bool = False,
        short: bool = False,
        buttons: bool = False,
    ) -> Reply:
        options = question.buttons_on_reask if reask or buttons else list(question.options)
        if reask:
            text = question.reask
        elif question.phase == "consent" and not short:
            text = self.trial.consent.text
        else:
            text = question.text
        payload: dict[str, Any] = {
            "question_id": question.id,
            "expects": question.expects,
            "options": options,
        }
        progress = self._progress()
        if progress is not None and question.phase == "screening":
            payload["progress"] = {"answered": progress[0], "total": progress[1]}
        return Reply(text, tuple(options), payload)

    def _progress(self) -> tuple[int, int] | None:
        screening = [q.id for q in self.trial.screening_questions]
        answered = sum(q in self.answers for q in screening)
        return answered, len(screening)

    # -- contact details -------------------------------------------------------------------

    def _contact(self, question: Question) -> None:
        role = contact_role(question)
        reading = self.read(question)
        if role == "future_contact":
            if reading.understood and reading.value in ("yes", "no"):
                self._contact_done(question, str(reading.value))
            elif reading.is_dont_know:
                self._contact_done(question, "no")
            elif self._answer_question() or self._small_talk():
                self._ask_again(question)
            else:
                self._contact_missed(question, reading)
            return
        skipped = reading.understood and (reading.value == SKIPPED or reading.value is None)
        if reading.understood and not skipped:
            self.ops.append(SaveContact(role, str(reading.value)))
            self._contact_done(question, GIVEN)
            return
        if skipped and role != "name":
            self._contact_done(question, SKIPPED)
            return
        if self._answer_question() or self._small_talk():
            self._ask_again(question)
            return
        self._contact_missed(question, reading)

    def _contact_missed(self, question: Question, reading: Parsed) -> None:
        self.state.misses += 1
        if self.state.misses >= MAX_MISSES or self.state.asks >= MAX_ASKS:
            self._give_up(question)
            return
        if reading.problem:
            self.say("contact_problem", problem=reading.problem)
        self._ask(question, reask=True)

    def _contact_done(self, question: Question, marker: str) -> None:
        role = contact_role(question)
        if role == "future_contact":
            self.ops.append(SaveContact("future_contact", marker == "yes"))
        self.state.contact[question.id] = marker
        reach = [q for q in self.trial.contact_questions if contact_role(q) in ("phone", "email")]
        every_reach_answered = reach and all(q.id in self.state.contact for q in reach)
        if (
            every_reach_answered
            and not reachable(self.trial, self.state.contact)
            and not self.state.warned_reach
        ):
            self.state.warned_reach = True
            self.say("contact_need_one")
            for q in reach:
                self.state.contact.pop(q.id, None)
        self._advance()

    # -- corrections -------------------------------------------------------------------

    def _correction(self, pending: Question) -> bool:
        """ "hang on, earlier I said two years but it's really just 5 months": applied to
        the question it is about, then back to the pending question."""
        cue = self.phrases.correction
        if pending.phase == "contact" or not cue.search(self.lowered):
            # With a contact detail pending the words are never copied into a check.
            return False
        answered = [
            q
            for q in reversed(self.state.history)
            if q != pending.id
            and q in self.answers
            and self.trial.has_question(q)
            and self.trial.question(q).phase == "screening"
        ]
        topics = [q for q in self._questions_stated() if q in answered]
        if not topics and not self.read(pending).understood:
            # "earlier I said two years but it's really 5 months" names no topic the
            # patterns know: the answered question whose reading the words change.
            # Never a yes/no one: "actually no" answers the pending question.
            topics = [q for q in answered if self.trial.question(q).expects != "yes_no"]
        for question_id in topics:
            question = self.trial.question(question_id)
            reading = self._corrected_reading(question)
            old = self.answers.get(question_id)
            if reading is not None and (old is None or old.parsed.value != reading.value):
                break
        else:
            return False
        verdicts = self._verdicts_with(question, reading)
        if Verdict.FAIL.value in verdicts.values():
            # Confirm first; the confirmed correction is stored against its question.
            self.state.pending = question.id
            self.state.asks = 1
            self._ask_confirmation(question, reading, verdicts)
            return True
        self._record(question, self.text, reading)
        self.say("correction_saved", understood=self.describe(question, reading))
        step = self.step()
        if step.question_id == pending.id or step.question_id is None or step.screening_done:
            if step.screening_done or step.question_id != pending.id:
                self._advance()
            else:
                self._ask(pending)
        else:
            self._advance()
        return True

    def _corrected_reading(self, question: Question) -> Parsed | None:
        """The new value in "I said two years but it's really 5 months": the words after
        the last turn of the sentence first, then the whole message."""
        turns = list(self.phrases.correction_turn.finditer(self.text))
        for match in reversed(turns):
            tail = self.text[match.end() :].strip()
            if tail:
                reading = self.read(question, tail)
                if reading.understood and reading.value is not None:
                    return reading
        reading = self.read(question)
        return reading if reading.understood and reading.value is not None else None

    # -- commands ------------------------------------------------------------------------

    def _command(self, command: str, question: Question) -> None:
        if command == "stop":
            self.ops.append(Stop())
            self.state.phase = "stopped"
            self.state.resume_asked = False
            self.say("stopped")
        elif command == "restart":
            self.say("restarting")
            self._open(restart=True, greet=False)
        elif command == "back":
            self._go_back(question)
        elif command == "help":
            self.say("help", reask=question.reask)
            self.replies.append(self.question_reply(question, reask=True))
        elif command == "human":
            self._contact_block()
            self.replies.append(self.question_reply(question))
        elif command == "erase":
            self.state.erase_asked = True
            options = (self._text("option_yes"), self._text("option_no"))
            self.replies.append(
                Reply(
                    self._text("erase_confirm"),
                    options,
                    {"question_id": ERASE, "expects": "yes_no", "options": list(options)},
                )
            )

    def _go_back(self, question: Question) -> None:
        previous = [q for q in self.state.history if q != question.id]
        self.state.backs += 1
        if not previous or self.state.phase != "screening" or self.state.backs > MAX_BACKS:
            self.say("back_nothing")
            self.replies.append(self.question_reply(question))
            return
        target = self.trial.question(previous[-1])
        self.say("back_to")
        self.state.pending = None
        self._ask(target)

    def _erase_reply(self, question: Question | None) -> None:
        self.state.erase_asked = False
        reading = self.parse("yes_no", self.text)
        if reading.understood and reading.value == "yes":
            self.ops.append(Erase())
            self.state = State()
            self.say("erased")
            return
        self.say("erase_kept")
        if question is not None and self.state.phase in ("screening", "contact", "consent"):
            self.replies.append(self.question_reply(question))

    def _contact_block(self) -> None:
        contact = self.trial.contact
        details = ", ".join(d for d in (contact.phone, contact.email) if d)
        if details:
            self.say("study_contact", contact_name=contact.name, contact_details=details)
        else:
            self.say("study_contact_no_details", contact_name=contact.name)

    # -- after the screening ----------------------------------------------------------------

    def _after(self) -> None:
        if self.state.erase_asked:
            self._erase_reply(None)
            return
        command = self.phrases.command_of(self.text)
        if command == "restart":
            self.say("restarting")
            self._open(restart=True, greet=False)
            return
        if command == "erase":
            self._command("erase", self.trial.consent_question)
            return
        if command == "human":
            self._contact_block()
            return
        if command == "help":
            self.say("help_after")
            return
        if self.state.phase == "declined":
            reading = self.parse("yes_no", self.text)
            agrees = reading.understood and reading.value == "yes" and not reading.hedged
            if agrees or self._go(reading):
                self._agree(restart=True)
                return
            if self.phrases.greeting.search(self.lowered) and not self._answer_question():
                self._open(restart=True)
                return
        if self.flagged:
            return  # the warning was the answer
        if (
            self.state.phase == "done"
            and self.phrases.correction.search(self.lowered)
            and any(q in self.answers for q in self._questions_stated())
        ):
            self.say("correction_closed")
            return
        if self._answer_question() or self._small_talk():
            return
        if self.phrases.goodbye.search(self.lowered):
            self.say("goodbye")
            return
        if self.phrases.thanks.search(self.lowered):
            self.say("youre_welcome")
            return
        if self.replies:
            return
        self.say("screening_over")

    def _stopped(self) -> None:
        command = self.phrases.command_of(self.text)
        if command == "restart":
            self.say("restarting")
            self._open(restart=True, greet=False)
            return
        if command == "erase":
            self._command("erase", self.trial.consent_question)
            self.state.phase = "stopped"
            return
        if self.state.erase_asked:
            self._erase_reply(None)
            return
        reading = self.parse("yes_no", self.text)
        wants = command == "continue" or (
            self.state.resume_asked and reading.understood and reading.value == "yes"
        )
        if wants:
            self.ops.append(Resume())
            self.state.resume_asked = False
            pending = self.state.pending
            self.state.phase = (
                "contact"
                if (
                    pending
                    and self.trial.has_question(pending)
                    and self.trial.question(pending).phase == "contact"
                )
                else "screening"
            )
            self.state.asks = 0
            self.state.pending = None
            self._advance()
            return
        if self.state.resume_asked and reading.understood and reading.value == "no":
            self.state.resume_asked = False
            self.say("stopped")
            return
        if self._answer_question():
            return
        self.state.resume_asked = True
        options = (self._text("option_yes"), self._text("option_no"))
        self.replies.append(
            Reply(
                self._text("welcome_back"),
                options,
                {"question_id": RESUME, "expects": "yes_no", "options": list(options)},
            )
        )

    # -- questions about the study and small talk --------------------------------------------

    def _plain_question(self) -> bool:
        """A message that is a question: it ends with a question mark and opens like one
        (after "sorry", "um"...) or asks what a word means."""
        if not self.text.rstrip().endswith("?"):
            return False
        opening = self.phrases.filler.sub("", self.lowered)
        return bool(self.phrases.question_start.search(opening))

    def _answer_question(self, *, also: bool = False, unknown: bool = True) -> bool:
        """Answer a question about the study or the bot's own words; True if answered.

        ``also``: the message held an answer too; only a clear question is answered.
        ``unknown``: a question the bot cannot answer is said to be one.
        """
        text, lowered = self.text, self.lowered
        if not text:
            return False
        asks = "?" in text or bool(self.phrases.question_start.search(lowered))
        if also and "?" not in text:
            return False
        if asks and self.phrases.progress.search(lowered):
            self._tell_progress()
            return True
        if asks and self.phrases.contact_why.search(lowered):
            entry = self.trial.faq_entry("why_contact_details")
            if entry is not None:
                self.replies.append(Reply(entry.answer))
                return True
        shown = (
            self.trial.question(self.shown)
            if self.shown is not None and self.trial.has_question(self.shown)
            else None
        )
        if (
            asks
            and shown is not None
            and shown.phase == "screening"
            and shown.topic
            and (
                self.phrases.why_ask.search(lowered)
                or (also and self.phrases.why_ask.search(self._last_clause(text)))
            )
        ):
            self.say("why_we_ask", topic=shown.topic)
            return True
        term = self._glossary_term(lowered) if asks else None
        if term is None and asks:
            term = self._pending_term(lowered)
        if term is not None:
            self.replies.append(Reply(term.definition))
            return True
        intent = self.incoming.intent
        if self.incoming.faq_id and (intent == "faq" or asks):
            entry = self.trial.faq_entry(self.incoming.faq_id)
            if entry is not None and (asks or self.incoming.intent_confidence >= 0.6):
                self.replies.append(Reply(entry.answer))
                return True
        if intent == "bot_challenge" and asks:
            self.say("i_am_a_bot")
            return True
        if self.phrases.greeting.search(lowered) and len(lowered.split()) <= 3:
            return False  # "hello?", "hi there?": a greeting, not a question
        if asks and "?" in text and not also and unknown:
            self.say("faq_unknown")
            return True
        if also and shown is not None and shown.phase == "screening" and self._asks_back(text):
            # "no - is that bad?": the answer is taken; what it means is not for the bot
            self.say("question_back_noted")
            return True
        return False

    def _asks_back(self, text: str) -> bool:
        """Whether the last clause of the message asks something back ("no, is that a
        problem?"), by the language's question opening."""
        if not text.rstrip().endswith("?"):
            return False
        clause = self._last_clause(text)
        return bool(clause) and bool(self.language.asks_back.search(clause + "?"))

    @staticmethod
    def _last_clause(text: str) -> str:
        """The words after the last punctuation or dash ("no - is that bad?": "is that
        bad"), lower-cased."""
        return _CLAUSE.split(_lowered(text).rstrip(" ?"))[-1].strip()

    def _glossary_term(self, lowered: str) -> GlossaryEntry | None:
        if not self.phrases.glossary_ask.search(lowered) and len(lowered.split()) > 4:
            return None
        best: tuple[int, GlossaryEntry] | None = None
        for entry in self.trial.glossary:
            for name in entry.names:
                pattern = r"(?<![\w])" + re.escape(name.lower()) + r"(?![\w])"
                if re.search(pattern, lowered) and (best is None or len(name) > best[0]):
                    best = (len(name), entry)
        return best[1] if best else None

    def _term_question(self) -> GlossaryEntry | None:
        """ "whats spect", "what's radiate mean": a whole message that asks what a word of
        the glossary means, without a question mark. It does when, with the word in place
        of "it", it is the language's "what is it?"."""
        if "?" in self.text:
            return None
        for entry in self.trial.glossary:
            for name in entry.names:
                pattern = r"(?<![\w])" + re.escape(name.lower()) + r"(?![\w])"
                asked, found = re.subn(pattern, "it", self.lowered)
                if found and self.phrases.deictic_ask.search(asked):
                    return entry
        return None

    def _pending_term(self, lowered: str) -> GlossaryEntry | None:
        """ "what is this?" while a question is on screen: the first glossary word of
        that question ("SPECT/CT" for the SPECT/CT question)."""
        pending = self.shown
        if not self.phrases.deictic_ask.search(_SENTENCE.split(lowered.strip())[0]):
            return None
        if pending is None or not self.trial.has_question(pending):
            return None
        asked = self.trial.question(pending).text.lower()
        best: tuple[int, GlossaryEntry] | None = None
        for entry in self.trial.glossary:
            for name in entry.names:
                found = re.search(r"(?<![\w])" + re.escape(name.lower()) + r"(?![\w])", asked)
                if found and (best is None or found.start() < best[0]):
                    best = (found.start(), entry)
        return best[1] if best else None

    def _tell_progress(self) -> None:
        step = self.step()
        left = [q for q in self.trial.screening_questions if q.id not in self.answers]
        self.say("progress", n=max(1, len(left)) if step.question_id else 0)

    def _small_talk(self) -> bool:
        intent = self.incoming.intent
        if intent == "chitchat" and self.incoming.chitchat:
            self.replies.append(Reply(self.incoming.chitchat))
            return True
        if intent == "bot_challenge":
            self.say("i_am_a_bot")
            return True
        if self.phrases.goodbye.search(self.lowered):
            self.say("goodbye_mid")
            return True
        if self.phrases.thanks.search(self.lowered) and self.state.phase != "consent":
            self.say("youre_welcome")
            return True
        if self.phrases.greeting.search(self.lowered) and len(self.lowered.split()) <= 3:
            self.say("greeting_again")
            return True
        return False

    # -- plain words for a reading --------------------------------------------------------

    def describe(self, question: Question, reading: Parsed) -> str:
        # Someone answering for another person hears about that person ("they are 80").
        about = "them" if self.state.answered_by == "relative" else "you"
        return describe(question, reading, self.lang, about=about)


def _months_text(months: float, lang: str) -> str:
    if months < 1:
        weeks = max(1, round(months * 4.345))
        return messages.render("span_weeks", lang=lang, n=weeks)
    if months < 24:
        return messages.render("span_months", lang=lang, n=round(months))
    years = months / 12
    shown = f"{years:.1f}".rstrip("0").rstrip(".")
    return messages.render("span_years", lang=lang, n=shown)


def _terms(values: list[str], lang: str) -> str:
    names = [
        messages.render(f"term_{v}", lang=lang)
        if messages.has(f"term_{v}", lang=lang)
        else v.replace("_", " ")
        for v in values
    ]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + messages.render("list_and", lang=lang) + names[-1]


def describe(question: Question, reading: Parsed, lang: str = "en", about: str = "you") -> str:
    """What the bot understood, in plain words ("the pain goes below your knee").

    ``about="them"``: said of the person someone is answering for ("they are 80"), with
    the catalog's ``<key>_them`` texts where there are any."""
    value = reading.value

    def render(key: str, **values: object) -> str:
        if about == "them" and messages.has(f"{key}_them", lang=lang):
            key = f"{key}_them"
        return messages.render(key, lang=lang, **values)

    if not reading.understood:
        return render("understood_unclear", topic=question.topic or question.text)
    if value is None:
        return render("understood_dont_know", topic=question.topic or question.text)
    expects = question.expects
    if expects == "age" and isinstance(value, int | float):
        return render("understood_age", age=value)
    if expects == "duration" and isinstance(value, dict):
        span = _months_text(float(value.get("months") or 0), lang)
        bound = value.get("bound", "exact")
        upper = value.get("to")
        if bound == "exact" and isinstance(upper, int | float):
            return render("understood_duration_range", span=span, to=_months_text(upper, lang))
        key = {
            "more_than": "understood_duration_more",
            "less_than": "understood_duration_less",
        }.get(bound, "understood_duration")
        return render(key, span=span)
    if expects == "pain_location" and isinstance(value, str):
        return render(f"understood_pain_{value}")
    if expects == "therapies" and isinstance(value, dict):
        tried = list(value.get("tried") or [])
        if not tried:
            return render("understood_therapies_none")
        key = (
            "understood_therapies_lasting"
            if value.get("relief") == "lasting"
            else "understood_therapies_failed"
        )
        return render(key, therapies=_terms(tried, lang))
    if expects == "spinal_pathology" and isinstance(value, dict):
        conditions = list(value.get("conditions") or [])
        if conditions:
            return render("understood_pathology", conditions=_terms(conditions, lang))
        return render("understood_pathology_none")
    if expects == "spect_intolerance" and isinstance(value, str):
        return render(f"understood_intolerance_{value}")
    if expects == "mri" and isinstance(value, dict):
        if value.get("had") == "no":
            return render("understood_mri_none")
        findings = [f for f in value.get("findings") or []]
        if findings == ["normal"]:
            return render("understood_mri_normal")
        if findings:
            return render("understood_mri_findings", findings=_terms(findings, lang))
        return render("understood_mri_unknown")
    if expects == "spect_ct" and isinstance(value, dict):
        if value.get("had") == "no":
            return render("understood_spect_none")
        if value.get("positive") is False:
            return render("understood_spect_negative")
        levels = value.get("levels")
        if isinstance(levels, int):
            if levels == 1:
                return render("understood_spect_one")
            return render("understood_spect_levels", levels=levels)
        return render("understood_spect_unknown")
    if expects == "yes_no" and value in ("yes", "no"):
        if question.phase == "screening" and question.topic:
            # said about the topic: the question's own "?" would end up before "Is that right?"
            return render(f"understood_{value}_about", topic=question.topic)
        return render(f"understood_{value}", question=question.text)
    return render("understood_generic", topic=question.topic or question.text, value=str(value))
