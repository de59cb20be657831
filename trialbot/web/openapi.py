"""The OpenAPI 3 description of ``/api``, served at ``/api/openapi.json``.

Kept next to the handlers it describes; ``tests/web/test_web_openapi.py`` runs
schemathesis against the running app to prove the two agree.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from trialbot.accounts import CONTROL_RANGES
from trialbot.store.models import HANDOFF_STATUSES, NOTIFICATION_STATUSES, PRIORITIES, VERDICTS
from trialbot.web.views.common import NOTE_MAX_CHARS

STATUS = {"type": "string", "enum": list(HANDOFF_STATUSES)}
TIMESTAMP = {"type": "string", "format": "date-time"}
NULLABLE_STRING = {"type": "string", "nullable": True}
TRIAL_PARAMETER = {
    "name": "trial",
    "in": "query",
    "required": False,
    "description": "Only this trial (its id, e.g. spinus2).",
    "schema": {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,63}$"},
}
SENDER_ID_PARAMETER = {
    "name": "sender_id",
    "in": "path",
    "required": True,
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": 255,
        "pattern": "^[^\\u0000-\\u001f\\u007f]+$",
    },
}
HANDOFF_ID_PARAMETER = {
    "name": "handoff_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


UNAUTHORIZED = _error("No valid bearer token.")
NOT_FOUND = _error("No such handoff or screening.")
INVALID = _error("A parameter or the body is not valid.")

NOTIFICATION = {
    "type": "object",
    "required": ["channel", "status", "attempts", "last_error", "next_attempt_at", "sent_at"],
    "properties": {
        "channel": {"type": "string", "enum": ["email", "webhook"]},
        "status": {"type": "string", "enum": list(NOTIFICATION_STATUSES)},
        "attempts": {"type": "integer", "minimum": 0},
        "last_error": NULLABLE_STRING,
        "next_attempt_at": TIMESTAMP,
        "sent_at": {**TIMESTAMP, "nullable": True},
    },
}

HANDOFF_SUMMARY_PROPERTIES = {
    "id": {"type": "integer"},
    "trial": {"type": "string"},
    "sender_id": {"type": "string"},
    "priority": {"type": "string", "enum": list(PRIORITIES)},
    "status": STATUS,
    "outcome": NULLABLE_STRING,
    "name": NULLABLE_STRING,
    "created_at": TIMESTAMP,
    "updated_at": TIMESTAMP,
    "notifications": {"type": "array", "items": _ref("Notification")},
}

HANDOFF_DETAIL = {
    "type": "object",
    "required": [
        *HANDOFF_SUMMARY_PROPERTIES,
        "allowed_statuses",
        "contact",
        "criteria",
        "answers",
        "history",
    ],
    "properties": {
        **HANDOFF_SUMMARY_PROPERTIES,
        "allowed_statuses": {"type": "array", "items": STATUS},
        "contact": {
            "type": "object",
            "nullable": True,
            "required": ["name", "phone", "email", "future_contact"],
            "properties": {
                "name": NULLABLE_STRING,
                "phone": NULLABLE_STRING,
                "email": NULLABLE_STRING,
                "future_contact": {"type": "boolean", "nullable": True},
            },
        },
        "criteria": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["criterion_id", "verdict", "reason", "evidence"],
                "properties": {
                    "criterion_id": {"type": "string"},
                    "verdict": {"type": "string", "enum": list(VERDICTS)},
                    "reason": {"type": "string"},
                    "evidence": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
        "answers": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["question_id", "text", "value", "understood", "hedged", "answered_at"],
                "properties": {
                    "question_id": {"type": "string"},
                    "text": {"type": "string"},
                    "value": {"description": "The understood value: any JSON.", "nullable": True},
                    "understood": {"type": "boolean"},
                    "hedged": {"type": "boolean"},
                    "answered_at": TIMESTAMP,
                },
            },
        },
        "history": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["from_status", "to_status", "note", "actor", "at"],
                "properties": {
                    "from_status": {**STATUS, "nullable": True},
                    "to_status": STATUS,
                    "note": {"type": "string"},
                    "actor": {"type": "string"},
                    "at": TIMESTAMP,
                },
            },
        },
    },
}

SCREENING_REPORT = {
    "type": "object",
    "description": "The same JSON as `trialbot screening show --json`.",
    "required": [
        "sender_id",
        "trial",
        "outcome",
        "criteria",
        "answers",
        "questions_asked",
        "handoff",
    ],
    "properties": {
        "sender_id": {"type": "string"},
        "trial": {"type": "string"},
        "outcome": NULLABLE_STRING,
        "criteria": {
            "type": "object",
            "additionalProperties": {"type": "string", "enum": list(VERDICTS)},
        },
        "answers": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "required": ["text", "value", "hedged", "understood", "answered_at"],
                "properties": {
                    "text": {"type": "string"},
                    "value": {"nullable": True},
                    "hedged": {"type": "boolean"},
                    "understood": {"type": "boolean"},
                    "answered_at": TIMESTAMP,
                },
            },
        },
        "questions_asked": {"type": "array", "items": {"type": "string"}},
        "handoff": {
            "type": "object",
            "nullable": True,
            "required": ["id", "priority", "status", "created_at"],
            "properties": {
                "id": {"type": "integer"},
                "priority": {"type": "string", "enum": list(PRIORITIES)},
                "status": STATUS,
                "created_at": TIMESTAMP,
            },
        },
    },
}


def build_document(server_url: str = "/") -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "trialbot triage API",
            "version": "1",
            "description": "Handoffs of likely matches to the study team, and screening reports. "
            "Create a token with `trialbot token create NAME`.",
        },
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "paths": {
            "/api/handoffs": {
                "get": {
                    "operationId": "listHandoffs",
                    "summary": "Handoffs, high priority first, then oldest first",
                    "parameters": [
                        {
                            "name": "status",
                            "in": "query",
                            "required": False,
                            "schema": STATUS,
                        },
                        TRIAL_PARAMETER,
                    ],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["handoffs"],
                                "properties": {
                                    "handoffs": {
                                        "type": "array",
                                        "items": _ref("HandoffSummary"),
                                    }
                                },
                            },
                            "The handoffs.",
                        ),
                        "401": UNAUTHORIZED,
                        "422": INVALID,
                    },
                }
            },
            "/api/handoffs/{handoff_id}": {
                "parameters": [HANDOFF_ID_PARAMETER],
                "get": {
                    "operationId": "getHandoff",
                    "summary": "One handoff with contact details, criteria, answers and history",
                    "responses": {
                        "200": _json(_ref("HandoffDetail"), "The handoff."),
                        "401": UNAUTHORIZED,
                        "404": NOT_FOUND,
                    },
                },
                "patch": {
                    "operationId": "updateHandoff",
                    "summary": "Change the status (with a note) or add a note",
                    "description": "Workflow: new → contacted → scheduled → enrolled | "
                    "not_enrolled | unreachable (contacted → unreachable | not_enrolled too). "
                    "Without `status` the note is added and the status stays.",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("HandoffChange")}},
                    },
                    "responses": {
                        "200": _json(_ref("HandoffDetail"), "The handoff after the change."),
                        "400": _error("The body is not JSON."),
                        "401": UNAUTHORIZED,
                        "404": NOT_FOUND,
                        "409": _error("The workflow does not allow this status change."),
                        "422": INVALID,
                    },
                },
            },
            "/api/screenings/{sender_id}": {
                "get": {
                    "operationId": "getScreening",
                    "summary": "A sender's latest screening (as `trialbot screening show --json`)",
                    "parameters": [
                        {
                            "name": "sender_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "minLength": 1, "maxLength": 255},
                        },
                        TRIAL_PARAMETER,
                    ],
                    "responses": {
                        "200": _json(_ref("ScreeningReport"), "The screening."),
                        "401": UNAUTHORIZED,
                        "404": NOT_FOUND,
                        "422": INVALID,
                    },
                },
                "delete": {
                    "operationId": "eraseScreening",
                    "summary": "Erase the candidate everywhere (as `trialbot screening erase`)",
                    "description": "Deletes the sender's answers, evaluations, contact details, "
                    "notifications and every event of their conversations; keeps their "
                    "screenings, consent records and handoffs as anonymous shells for the "
                    "funnel, with staff notes replaced by `[erased]`; writes one audit event "
                    "with a salted hash of the sender id. Only a token that acts for an "
                    "administrator account may do it.",
                    "parameters": [SENDER_ID_PARAMETER],
                    "responses": {
                        "204": {"description": "Erased."},
                        "401": UNAUTHORIZED,
                        "403": _error("The token does not act for an administrator."),
                        "404": _error("Nothing is stored for this sender."),
                        "422": INVALID,
                    },
                },
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error", "message"],
                    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
                },
                "Notification": NOTIFICATION,
                "HandoffSummary": {
                    "type": "object",
                    "required": list(HANDOFF_SUMMARY_PROPERTIES),
                    "properties": HANDOFF_SUMMARY_PROPERTIES,
                },
                "HandoffDetail": HANDOFF_DETAIL,
                "HandoffChange": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["note"],
                    "properties": {
                        "status": STATUS,
                        "note": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": NOTE_MAX_CHARS,
                            # Something visible, and no control character but tab and
                            # line breaks (the API's 422 note_control_characters).
                            "pattern": rf"^[^{CONTROL_RANGES}]*[^\s{CONTROL_RANGES}]"
                            rf"[^{CONTROL_RANGES}]*$",
                        },
                    },
                },
                "ScreeningReport": SCREENING_REPORT,
            },
        },
    }


async def document(request: web.Request) -> web.StreamResponse:
    return web.json_response(build_document())
