"""What a notification says: trial, priority, handoff id and a link. Nothing else.

No answers, verdicts, outcome wording, names, phone numbers or e-mail addresses: mail
and webhooks leave the system, the triage app (behind a login) holds the rest.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from email.message import EmailMessage

SIGNATURE_HEADER = "X-Trialbot-Signature"
TIMESTAMP_HEADER = "X-Trialbot-Timestamp"
DELIVERY_HEADER = "X-Trialbot-Delivery"

PRIORITY_WORDS = {"high": "high priority (likely eligible)", "review": "needs review"}


@dataclass(frozen=True)
class HandoffNotice:
    notification_id: int
    handoff_id: int
    trial_id: str
    trial_title: str  # "SPINUS II (NCT04893720)", or the trial id
    priority: str
    url: str
    created_at: str


def email_message(notice: HandoffNotice, sender: str, recipients: tuple[str, ...]) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = (
        f"[trialbot] New handoff #{notice.handoff_id} for {notice.trial_title}: "
        f"{PRIORITY_WORDS.get(notice.priority, notice.priority)}"
    )
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Message-ID"] = f"<handoff-{notice.handoff_id}-{notice.notification_id}@trialbot>"
    message.set_content(
        "A candidate's prescreening has been handed off to the study team.\n\n"
        f"Trial: {notice.trial_title}\n"
        f"Priority: {PRIORITY_WORDS.get(notice.priority, notice.priority)}\n"
        f"Handoff: #{notice.handoff_id}\n\n"
        f"Open it in the triage app (sign-in required):\n{notice.url}\n\n"
        "This message deliberately contains no personal or health information.\n"
    )
    return message


def webhook_body(notice: HandoffNotice) -> bytes:
    return json.dumps(
        {
            "event": "handoff.created",
            "handoff_id": notice.handoff_id,
            "trial": notice.trial_id,
            "trial_title": notice.trial_title,
            "priority": notice.priority,
            "url": notice.url,
            "created_at": notice.created_at,
        },
        separators=(",", ":"),
        sort_keys=True,
    ).encode()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256 over ``<timestamp>.<body>``.

    Receivers recompute it with the shared secret, compare in constant time and reject
    timestamps older than a few minutes (replays).
    """
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    return hmac.compare_digest(signature(secret, timestamp, body), header)
