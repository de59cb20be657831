"""Speed-ups for the Rasa server, applied when Rasa loads trialbot's channels.

Rasa 3.6 validates every action server response with ``jsonschema.validate(result,
schema)``, which re-checks the *schema* against the JSON Schema meta-schema on every
call. Profiling the server under ten concurrent conversations (py-spy, see the README's
benchmark section) put 40 % of its CPU time there. :func:`apply` swaps in a validator
built once per schema: the same checks on the response, without re-validating the
constant schema each time. It changes nothing else and is idempotent.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

_APPLIED = False


@functools.lru_cache(maxsize=8)
def _validator(schema_json: str) -> Any:
    schema = json.loads(schema_json)
    cls = validator_for(schema)
    cls.check_schema(schema)  # once, instead of on every response
    return cls(schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    schema = self.action_response_format_spec()
    try:
        _validator(json.dumps(schema, sort_keys=True)).validate(result)
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
