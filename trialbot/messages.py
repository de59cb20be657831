"""The texts the custom actions send: a catalog in ``bot/messages.yml``.

Rasa makes every response in the domain an action of its own, which only rules and
stories trigger. The outcome, the corrections, the apology and the other texts that
only actions send are therefore not domain responses but messages of this catalog,
rendered here and sent with ``dispatcher.utter_message(text=...)``.

The catalog maps a key to a text with ``str.format`` placeholders (``{reason}``). It is
read once, on first use (never at import), and checked as a whole: a placeholder must be
a plain name. :func:`render` fails with :class:`MessageError`, naming the key, when the
key is unknown or the values given are not exactly the message's placeholders.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import yaml

CATALOG = Path(__file__).resolve().parent.parent / "bot" / "messages.yml"


class MessageError(LookupError):
    """An unknown message, values that do not fit it, or a malformed catalog."""

    def __str__(self) -> str:  # LookupError would show the repr of the message
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class Message:
    key: str
    text: str
    placeholders: frozenset[str]

    def render(self, **values: object) -> str:
        missing = sorted(self.placeholders - values.keys())
        unexpected = sorted(values.keys() - self.placeholders)
        if missing or unexpected:
            problems = [f"missing {', '.join(missing)}"] if missing else []
            problems += [f"unexpected {', '.join(unexpected)}"] if unexpected else []
            raise MessageError(
                f"message {self.key!r}: {'; '.join(problems)} "
                f"(it takes {', '.join(sorted(self.placeholders)) or 'no values'})"
            )
        return self.text.format(**values)


def _placeholders(key: str, text: str) -> frozenset[str]:
    names = set()
    try:
        fields = [
            (name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(text)
        ]
    except ValueError as error:  # an unmatched brace
        raise MessageError(f"message {key!r}: {error}") from None
    for name, spec, conversion in fields:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise MessageError(
                f"message {key!r}: placeholder {{{name}}} must be a plain name like {{reason}}"
            )
        names.add(name)
    return frozenset(names)


def load(path: Path = CATALOG) -> dict[str, Message]:
    """Reads and checks a catalog file (``key: text`` pairs)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise MessageError(f"cannot read the message catalog {path}: {error}") from None
    if not isinstance(data, dict) or not data:
        raise MessageError(f"{path}: expected a mapping of message keys to texts")
    catalog = {}
    for key, text in data.items():
        if not isinstance(key, str) or not key.isidentifier():
            raise MessageError(f"{path}: message key {key!r} is not a plain name")
        if not isinstance(text, str) or not text.strip():
            raise MessageError(f"{path}: message {key!r} must be a non-empty text")
        catalog[key] = Message(key, text, _placeholders(key, text))
    return catalog


@functools.cache
def catalog() -> Mapping[str, Message]:
    """The catalog of ``bot/messages.yml``, read on first use and kept."""
    return MappingProxyType(load(CATALOG))


def get(key: str) -> Message:
    try:
        return catalog()[key]
    except KeyError:
        raise MessageError(f"no message {key!r} in {CATALOG}") from None


def render(key: str, /, **values: object) -> str:
    """The text of message ``key`` with its placeholders filled from ``values``."""
    return get(key).render(**values)
