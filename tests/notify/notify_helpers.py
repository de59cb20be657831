"""A handoff with everything a notification must leave out: a name, a phone, answers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import Message

from trialbot.answers import Parsed
from trialbot.store import ScreeningStore
from trialbot.verdicts import CriterionResult, Evaluation, Outcome, Verdict

TRIAL = "spinus2"
NAME = "Zelda Quartermain"
PHONE = "+44 7700 900777"
EMAIL = "zelda.q@example.net"
ANSWER = "My back has hurt for 14 months and the physio did nothing"
REASON = "Pain for 14 months after failed physiotherapy"
SECRET = "webhook-shared-secret-for-tests"
PRIVATE = (NAME, PHONE, EMAIL, ANSWER, REASON, "Zelda", "900777", "physio", "14 months")


def handed_off(
    store: ScreeningStore,
    sender: str,
    channels: Sequence[str],
    outcome: Outcome = Outcome.LIKELY_ELIGIBLE,
) -> int:
    store.start(sender, TRIAL, "rest")
    store.record_consent(sender, TRIAL, version="v1", agreed=True, channel="rest")
    store.record_question_asked(sender, TRIAL, "pain_duration")
    store.record_answer(
        sender,
        TRIAL,
        "pain_duration",
        ANSWER,
        Parsed(understood=True, value={"months": 14.0, "bound": "exact"}),
    )
    store.save_contact(sender, TRIAL, name=NAME, phone=PHONE, email=EMAIL, future_contact=True)
    evaluation = Evaluation(
        results={
            "inc_chronic_failed_conservative": CriterionResult(
                "inc_chronic_failed_conservative", Verdict.PASS, REASON, (ANSWER,)
            )
        },
        outcome=outcome,
    )
    handoff = store.complete(sender, TRIAL, evaluation, notify_channels=list(channels))
    assert handoff is not None
    return handoff


class Mailbox:
    """An aiosmtpd handler keeping every message it is given."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], Message]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd API)
        from email import message_from_bytes

        self.messages.append(
            (envelope.mail_from, list(envelope.rcpt_tos), message_from_bytes(envelope.content))
        )
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    host: str
    port: int
    mailbox: Mailbox


@dataclass
class Receiver:
    url: str
    fail_first: int = 0
    delay: float = 0.0
    requests: list[dict] = field(default_factory=list)  # every request, verified or not
    accepted: list[dict] = field(default_factory=list)
