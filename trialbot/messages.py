"""What the bot says: one message catalog per language, ``bot/messages/<lang>.yml``.

The interview (``trialbot.interview``) and the channels render every text they send
from here; trial-specific wording (questions, consent, FAQ, glossary) is in the
criteria file. A second language is a second catalog with the same keys
(``render(key, lang="cs")``).

The catalog maps a key to a text with ``str.format`` placeholders (``{reason}``). It is
read once, on first use (never at import), and checked as a whole: a placeholder must be
a plain name. :func:`render` fails with :class:`MessageError`, naming the key, when the
key is unknown or the values given are not exactly the message's placeholders.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

CATALOGS = Path(__file__).resolve().parent.parent / "bot" / "messages"
DEFAULT_LANGUAGE = "en"
CATALOG = CATALOGS / f"{DEFAULT_LANGUAGE}.yml"


class MessageError(LookupError):
    """An unknown message, values that do not fit it, or a malformed catalog."""

    def __str__(self) -> str:  # LookupError would show the repr of the message
        return str(self.args[0]) if self.args else ""


# Plural categories (CLDR's names) and the rule that picks one for a count, per language.
# A message with plural forms is a mapping of categories to texts, ``other`` required, and
# takes the count as ``{n}``: ``span_months: {one: "{n} month", other: "{n} months"}``.
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")


def _english_plural(n: float) -> str:
    return "one" if n == 1 else "other"


def _czech_plural(n: float) -> str:
    if n != int(n):
        return "many"  # "1,5 roku"
    return "one" if n == 1 else "few" if 2 <= n <= 4 else "other"


PLURAL_RULES: dict[str, Callable[[float], str]] = {"en": _english_plural, "cs": _czech_plural}


def plural_category(lang: str, n: object) -> str:
    """The plural category of the count ``n`` in ``lang`` ("other" for what is no number)."""
    try:
        number = float(str(n).replace(",", "."))
    except ValueError:
        return "other"
    return PLURAL_RULES.get(lang, _english_plural)(number)


@dataclass(frozen=True)
class Message:
    key: str
    text: str
    placeholders: frozenset[str]
    forms: Mapping[str, str] | None = None  # plural category -> text (``text`` is "other")
    lang: str = DEFAULT_LANGUAGE

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
        text = self.text
        if self.forms:
            text = self.forms.get(plural_category(self.lang, values["n"]), self.text)
        return text.format(**values)


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


def _plural_message(path: Path, key: str, forms: dict[Any, Any], lang: str) -> Message:
    unknown = sorted(str(c) for c in forms if c not in PLURAL_CATEGORIES)
    if unknown or "other" not in forms:
        raise MessageError(
            f"{path}: message {key!r}: plural forms are {', '.join(PLURAL_CATEGORIES)}, "
            f"with 'other' required (got {', '.join(map(str, forms))})"
        )
    if not all(isinstance(t, str) and t.strip() for t in forms.values()):
        raise MessageError(f"{path}: message {key!r}: every plural form must be a text")
    placeholders = {category: _placeholders(key, text) for category, text in forms.items()}
    if len(set(placeholders.values())) != 1 or "n" not in placeholders["other"]:
        raise MessageError(
            f"{path}: message {key!r}: every plural form takes the same placeholders, {{n}} "
            "among them"
        )
    return Message(key, forms["other"], placeholders["other"], dict(forms), lang)


def load(path: Path = CATALOG) -> dict[str, Message]:
    """Reads and checks a catalog file (``key: text`` pairs; ``key: {one: ..., other:
    ...}`` for a text with plural forms)."""
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
        if isinstance(text, dict):
            catalog[key] = _plural_message(path, key, text, path.stem)
            continue
        if not isinstance(text, str) or not text.strip():
            raise MessageError(f"{path}: message {key!r} must be a non-empty text")
        catalog[key] = Message(key, text, _placeholders(key, text), lang=path.stem)
    return catalog


def catalog_path(lang: str = DEFAULT_LANGUAGE) -> Path:
    if not lang.isalpha() or len(lang) != 2:
        raise MessageError(f"{lang!r} is not a two-letter language code")
    return CATALOGS / f"{lang}.yml"


@functools.cache
def catalog(lang: str = DEFAULT_LANGUAGE) -> Mapping[str, Message]:
    """The catalog of ``bot/messages/<lang>.yml``, read on first use and kept."""
    return MappingProxyType(load(catalog_path(lang)))


def get(key: str, lang: str = DEFAULT_LANGUAGE) -> Message:
    try:
        return catalog(lang)[key]
    except KeyError:
        raise MessageError(f"no message {key!r} in {catalog_path(lang)}") from None


def has(key: str, lang: str = DEFAULT_LANGUAGE) -> bool:
    return key in catalog(lang)


def render(key: str, /, *, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The text of message ``key`` with its placeholders filled from ``values``."""
    return get(key, lang).render(**values)
