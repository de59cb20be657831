"""Button payloads that name the question they answer.

A button sends ``/answer{"question_id": "age", "value": "65 or older"}`` — Rasa's
intent-with-entities syntax, so Rasa reads it without a classifier (the intent
``answer`` is declared in ``bot/domain/intents.yml`` for buttons only). The interview
takes ``value`` as the answer and ``question_id`` to tell a tap on an old button from an
answer to the question on screen; transcripts show the ``value``, as the candidate saw it.
"""

from __future__ import annotations

import json

ANSWER_INTENT = "answer"
_PREFIX = f"/{ANSWER_INTENT}{{"
MAX_PAYLOAD_CHARS = 1000
MAX_QUESTION_ID_CHARS = 64


def payload(question_id: str, title: str) -> str:
    """The payload of a button titled ``title`` that answers ``question_id``."""
    entities = {"question_id": question_id, "value": title}
    return f"/{ANSWER_INTENT}{json.dumps(entities, ensure_ascii=False)}"


def answer_of(text: str) -> tuple[str, str] | None:
    """(question id, value) of a button's payload; ``None`` for anything else."""
    if not text.startswith(_PREFIX) or len(text) > MAX_PAYLOAD_CHARS:
        return None
    try:
        entities = json.loads(text[len(_PREFIX) - 1 :])
    except ValueError:
        return None
    if not isinstance(entities, dict):
        return None
    question_id, value = entities.get("question_id"), entities.get("value")
    if not isinstance(question_id, str) or not isinstance(value, str):
        return None
    if len(question_id) > MAX_QUESTION_ID_CHARS:
        return None
    return question_id, value


def shown(text: str) -> str:
    """What the candidate saw of their message: a button's title, else the text."""
    answer = answer_of(text)
    return answer[1] if answer else text
