"""Speed-ups for the Rasa server, applied when Rasa loads trialbot's channels.

Rasa 3.6 validates every action server response with ``jsonschema.validate(result,
schema)``, which re-checks the *schema* against the JSON Schema meta-schema on every
call. Profiling the server under ten concurrent conversations (py-spy, see the README's
benchmark section) put 40 % of its CPU time there. :func:`apply` swaps in a validator
built once per action class: the same checks on the response, without re-validating
the constant schema each time, and each event checked against its own type's schema
instead of trying all twenty (see :class:`_ResponseValidator`). It changes nothing else
and is idempotent.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

_APPLIED = False


class _ResponseValidator:
    """Rasa's response schema, checked once, validating each event against its own type.

    The schema's ``events`` items are a ``oneOf`` of one branch per event type, each
    fixing ``event`` to a constant: jsonschema tries every branch for every event. An
    event whose ``event`` names a branch can match that branch only, so checking the
    item's common part plus that one branch is the same check. Anything else (an
    unknown type, a non-object) goes through the whole ``oneOf`` and fails as before. If
    a Rasa version's schema had another shape, the whole schema is used as is.
    """

    def __init__(self, schema: dict[str, Any]) -> None:
        cls = validator_for(schema)
        cls.check_schema(schema)  # once, instead of on every response
        self._whole = cls(schema)
        self._outer: Any = None
        self._item: Any = None
        self._by_type: dict[str, Any] = {}
        events = schema.get("properties", {}).get("events")
        if not (isinstance(events, dict) and set(events) == {"type", "items"}):
            return
        item = events["items"]
        branches = item.get("oneOf") if isinstance(item, dict) else None
        if events["type"] != "array" or not isinstance(branches, list):
            return
        types = [b.get("properties", {}).get("event", {}).get("const") for b in branches]
        if not all(isinstance(t, str) for t in types) or len(set(types)) != len(types):
            return
        outer = copy.deepcopy(schema)
        outer["properties"]["events"] = {"type": "array"}
        common = {key: value for key, value in item.items() if key != "oneOf"}
        self._outer = cls(outer)
        self._item = cls(item)
        self._by_type = {
            t: cls({**common, "allOf": [b]}) for t, b in zip(types, branches, strict=True)
        }

    def validate(self, result: Any) -> None:
        if self._outer is None:
            self._whole.validate(result)
            return
        self._outer.validate(result)
        events = result.get("events") if isinstance(result, dict) else None
        for event in events if isinstance(events, list) else ():
            kind = event.get("event") if isinstance(event, dict) else None
            validator = self._by_type.get(kind) if isinstance(kind, str) else None
            (validator or self._item).validate(event)


@functools.lru_cache(maxsize=8)
def _validator(action_class: type[RemoteAction]) -> _ResponseValidator:
    return _ResponseValidator(action_class.action_response_format_spec())


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    try:
        action_class: Any = type(self)
        _validator(action_class).validate(result)
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            f"from the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise
    return True


def apply() -> None:
    global _APPLIED
    if not _APPLIED:
        RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
        _APPLIED = True
