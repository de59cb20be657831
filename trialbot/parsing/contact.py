"""Contact details: name, phone number, e-mail address.

These need no language model: they are validated, normalized, and when rejected the
candidate gets a plain-language ``problem`` to fix. A refusal ("I'd rather not say")
is understood as "no value given" (``Parsed.dont_know``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from trialbot.answers import Parsed

_REFUSAL = re.compile(
    r"\b(?:rather not|prefer not|don'?t want to|do not want to|not telling|no thanks|"
    r"none of your business|skip)\b",
    re.IGNORECASE,
)
_URL_OR_MARKUP = re.compile(r"[<>{}\[\]\\/@=]|https?:|www\.", re.IGNORECASE)


def _strip_prefix(text: str, prefixes: re.Pattern[str]) -> str:
    text = " ".join(text.split())
    text = prefixes.sub("", text, count=1)
    return text.strip().strip(".!,;:").strip()


# --- name --------------------------------------------------------------------------

_NAME_PREFIX = re.compile(
    r"^(?:hi|hello|hey)?[,!.\s]*(?:my (?:full )?name is|my name's|name\s*:|i am|i'm|im|it's|"
    r"its|it is|this is|call me)\s+",
    re.IGNORECASE,
)
_NAME_CHARS = re.compile(r"^[^\W\d_]+(?:[ '\-.]+[^\W\d_]*)*$")


def parse_name(text: str, today: date) -> Parsed:
    if _REFUSAL.search(text):
        return Parsed.dont_know(evidence=text.strip())
    name = _strip_prefix(text.replace("\u2019", "'"), _NAME_PREFIX)
    if _URL_OR_MARKUP.search(name):
        return Parsed.not_understood("That doesn't look like a name. Please type just your name.")
    if any(ch.isdigit() for ch in name):
        return Parsed.not_understood("A name shouldn't have numbers in it. Please type your name.")
    if len(name) < 2:
        return Parsed.not_understood("Please type your name (at least two letters).")
    if len(name) > 100:
        return Parsed.not_understood("That name is too long. Please type a shorter form.")
    if not _NAME_CHARS.match(name):
        return Parsed.not_understood(
            "Please use only letters, spaces, hyphens (-) and apostrophes (') in your name."
        )
    return Parsed(understood=True, value=name, evidence=name)


# --- phone -------------------------------------------------------------------------


@dataclass(frozen=True)
class PhoneRegion:
    """How a national number is written in one country."""

    country_code: str
    national_lengths: tuple[int, ...]  # digits after the country code
    trunk_prefix: str = ""  # "0" in the UK: dropped after +44
    example: str = ""


PHONE_REGIONS = {
    "CZ": PhoneRegion("420", (9,), example="+420 601 123 456"),
    "SK": PhoneRegion("421", (9,), trunk_prefix="0", example="+421 901 123 456"),
    "GB": PhoneRegion("44", (9, 10), trunk_prefix="0", example="+44 7700 900123"),
    "US": PhoneRegion("1", (10,), example="+1 202 555 0143"),
    "DE": PhoneRegion("49", tuple(range(6, 12)), trunk_prefix="0", example="+49 30 1234567"),
}
# The study site is in Prague: numbers without a country code are Czech by default.
DEFAULT_PHONE_REGION = "CZ"
E164_MIN_DIGITS = 8
E164_MAX_DIGITS = 15

_PHONE_PREFIX = re.compile(
    r"^(?:my (?:phone |mobile |cell )?(?:number|phone|mobile) is|phone\s*:|tel\.?\s*:?|"
    r"mobile\s*:|call me on|it's|it is)\s*",
    re.IGNORECASE,
)
_PHONE_CHARS = re.compile(r"^\+?[\d\s\-.()/]+$")


def parse_phone(text: str, today: date, *, region: str = DEFAULT_PHONE_REGION) -> Parsed:
    home = PHONE_REGIONS[region]
    if _REFUSAL.search(text):
        return Parsed.dont_know(evidence=text.strip())
    raw = _strip_prefix(text, _PHONE_PREFIX)
    too_short = f"That number looks too short — please include the area code, e.g. {home.example}."
    if not raw:
        return Parsed.not_understood(f"Please type your phone number, e.g. {home.example}.")
    if not _PHONE_CHARS.match(raw):
        return Parsed.not_understood(
            f"A phone number can only have digits (and a + at the start), e.g. {home.example}."
        )
    # "+44 (0)20 ...": the bracketed trunk zero is not dialled from abroad.
    raw = raw.replace("(0)", "")
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+"):
        international = digits
    elif digits.startswith("00"):
        international = digits[2:]
    elif home.trunk_prefix and digits.startswith(home.trunk_prefix):
        international = home.country_code + digits[len(home.trunk_prefix) :]
    elif len(digits) in home.national_lengths:
        international = home.country_code + digits
    elif digits.startswith(home.country_code) and (
        len(digits) - len(home.country_code) in home.national_lengths
    ):
        international = digits  # "420601123456": the + was left out
    elif len(digits) < min(home.national_lengths):
        return Parsed.not_understood(too_short)
    else:
        return Parsed.not_understood(
            f"That number looks too long — please check it, e.g. {home.example}."
        )

    if len(international) < E164_MIN_DIGITS:
        return Parsed.not_understood(too_short)
    if len(international) > E164_MAX_DIGITS:
        return Parsed.not_understood(
            f"That number looks too long — please check it, e.g. {home.example}."
        )
    if international.startswith("0"):
        return Parsed.not_understood(
            f"Please start the number with the country code, e.g. {home.example}."
        )
    for known in PHONE_REGIONS.values():
        if international.startswith(known.country_code):
            national = len(international) - len(known.country_code)
            if national < min(known.national_lengths):
                return Parsed.not_understood(too_short)
            if national > max(known.national_lengths):
                return Parsed.not_understood(
                    f"That number looks too long — please check it, e.g. {known.example}."
                )
            break
    value = "+" + international
    return Parsed(understood=True, value=value, evidence=text.strip())


# --- e-mail ------------------------------------------------------------------------

_EMAIL_PREFIX = re.compile(
    r"^(?:my (?:e-?mail|e-?mail address|address) is|e-?mail\s*:|it's|it is|mailto:)\s*",
    re.IGNORECASE,
)
_LOCAL = re.compile(r"^[\w.!#$%&'*+/=?^`{|}~-]+$")
_LABEL = re.compile(r"^(?!-)[^\W_](?:[\w-]*[^\W_])?$")
EXAMPLE_EMAIL = "name@example.com"


def parse_email(text: str, today: date) -> Parsed:
    if _REFUSAL.search(text):
        return Parsed.dont_know(evidence=text.strip())
    address = _strip_prefix(text, _EMAIL_PREFIX).strip("<>\"'")
    if not address:
        return Parsed.not_understood(f"Please type your e-mail address, e.g. {EXAMPLE_EMAIL}.")
    if any(ch.isspace() for ch in address):
        return Parsed.not_understood("An e-mail address can't have spaces in it.")
    if address.count("@") != 1:
        return Parsed.not_understood(
            f"An e-mail address needs exactly one @, e.g. {EXAMPLE_EMAIL}."
        )
    local, domain = address.split("@")
    if not local:
        return Parsed.not_understood(
            f"That e-mail address is missing the part before the @, e.g. {EXAMPLE_EMAIL}."
        )
    if not domain:
        return Parsed.not_understood(
            f"That e-mail address is missing the part after the @, e.g. {EXAMPLE_EMAIL}."
        )
    if (
        len(local) > 64
        or not _LOCAL.match(local)
        or local.startswith(".")
        or local.endswith(".")
        or ".." in local
    ):
        return Parsed.not_understood(
            "The part before the @ has characters an e-mail address can't use."
        )
    domain = domain.lower()
    labels = domain.split(".")
    if len(labels) < 2:
        return Parsed.not_understood(
            "The part after the @ needs a dot, like example.com. Please check it."
        )
    tld = labels[-1]
    tld_ok = (tld.isalpha() and len(tld) >= 2) or tld.startswith("xn--")
    if not all(_LABEL.match(label) for label in labels) or not tld_ok:
        return Parsed.not_understood(
            f"The part after the @ doesn't look right. Please check it, e.g. {EXAMPLE_EMAIL}."
        )
    value = f"{local}@{domain}"
    if len(value) > 254:
        return Parsed.not_understood("That e-mail address is too long.")
    return Parsed(understood=True, value=value, evidence=text.strip())
