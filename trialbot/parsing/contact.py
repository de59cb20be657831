"""Contact details: name, phone number, e-mail address.

These need no language model: they are validated, normalized, and when rejected the
candidate gets a plain-language ``problem`` to fix.

Decisions:

* Declining a phone number or an e-mail address ("skip", "no phone", "email only",
  "I don't have e-mail", "not telling you", a bare "no") gives the value ``SKIPPED``.
  A name cannot be declined: the study team needs one to hand the candidate over, so
  "skip" or "rather not" is not understood, with a problem saying why.
* Remarks around a detail are ignored: "+420 603 111 222, please call in the
  mornings", "eva@example.org please", "John Smith, 07911 123456" (the name). Of two
  numbers or addresses, the first is taken.
* Names keep their diacritics, and titles as typed ("Mrs Dvořáková", "Dr. Petr
  Svoboda": the question asks what the team should call them). A name typed all in
  lower case or all in capitals is title-cased ("jan novak", "PETR NOVÁK"); any other
  capitalisation is the candidate's own and kept ("Anna van der Berg").
* A name must look like one: at most 5 words of letters (with - ' . between), none of
  them a common non-name word ("no idea", "my back hurts", "why do you need it").
* Phone numbers are stored in E.164. The study site is Czech: a number without a
  country code is Czech (9 digits) unless its national form says otherwise: a Slovak
  (090, 091, 094), German (015-017), Austrian (065-069) or UK (07) mobile written with
  the trunk 0, or a US number (10 digits, "(555) 201-4567"). Other numbers starting
  with 0 (a Ukrainian "096 123 4567", a landline) are asked again with the country code.
* E-mail addresses keep the local part as typed and lower-case the domain; "eva at
  example dot org" is read as eva@example.org.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from trialbot.answers import Parsed
from trialbot.parsing.numbers import TENS, UNITS

# The contact value of a detail the candidate declines to give; the same string as
# ``trialbot.conversation.SKIPPED`` (a test checks), which the parsers do not import.
SKIPPED = "skipped"

# Declining, whatever the detail.
_DECLINE = re.compile(
    r"\b(?:skip|rather not|prefer not|do(?:n'?t| not) want to|not telling|not giving|"
    r"won'?t (?:give|tell|share)|none of your business|no thanks?|no thank you|"
    r"not comfortable)\b|^\W*(?:no|nope|nah|none|n\s*/?\s*a|pass|no way)\W*$",
    re.IGNORECASE,
)
_URL_OR_MARKUP = re.compile(r"[<>{}\[\]\\/=]|https?:|www\.", re.IGNORECASE)


def _clean(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(text.split())


def _strip_prefix(text: str, prefixes: re.Pattern[str]) -> str:
    text = _clean(text)
    text = prefixes.sub("", text, count=1)
    return text.strip().strip(".!,;:").strip()


def _skipped(text: str) -> Parsed:
    return Parsed(understood=True, value=SKIPPED, evidence=text.strip())


# --- name --------------------------------------------------------------------------

_RELATIVE = (
    r"(?:mum|mom|mother|mam|dad|father|husband|wife|partner|son|daughter|sister|brother|"
    r"friend|grandma|grandmother|granny|grandpa|grandfather|grandad|aunt|uncle|"
    r"boyfriend|girlfriend|neighbour|neighbor|patient)"
)
# Lead-ins before a name, taken off one after another ("Hi, it's for my mum: Marie").
_NAME_PREFIX = re.compile(
    r"^(?:(?:hi|hello|hey|dear|ok|okay|sure|yes|yeah)\b[,!.\s]*|"
    r"(?:it'?s |this is |i'?m answering )?for my " + _RELATIVE + r"\b\s*[:,\-]?\s*|"
    r"(?:my |the |her |his |their )?(?:full |first )?name(?:'s| is|\s*:|\s+-)\s*|"
    r"(?:i am|i'm|im|it's|its|it is|this is|i'm called|i am called|they call me|"
    r"(?:you can |just |please )?call me|(?:she|he) is|(?:she|he)'s)\s+)",
    re.IGNORECASE,
)
_NAME_LEAD = re.compile(r"^(?:just|only|simply)\s+", re.IGNORECASE)
# What follows a name and is not part of it: "Karel here", "Liz, please call after 5".
_NAME_REMARK = re.compile(
    r"\s*(?:[,;(]|\s[-\u2013]\s|\bbut\b|\bplease\b|\bthanks?\b|\bthank you\b|\bhere\b|"
    r"\bspeaking\b|\bis fine\b).*$",
    re.IGNORECASE,
)
_NAME_CHARS = re.compile(r"^[^\W\d_]+(?:[ '\-.]+[^\W\d_]*)*$")
MAX_NAME_WORDS = 5
# Words no name is made of: the answer is something else ("no idea", "my back hurts").
# Words that are also first names (Will, May, Mark, Don...) are not here.
_NOT_NAME_TEXT = """
    i me my mine you your it its it's we they he she this that what why how who where
    which do does did don't dont doesn't didn't is are am was were have has had not no
    nope yes yeah yep ok okay sure none nothing nobody anonymous unknown idea know
    dunno idk skip telling tell need want rather prefer thanks thank please hello hi
    hey back hurts hurt pain aches leg same before and or the to for with bla blah
    test asdf qwerty sorry name because can't cannot won't would should could given
    give ask since n/a na i've i'd i'll let's haven't never still tried everything
    anything stuff works worked worse of course agreed absolutely alright fine go then
    yea ya ano ne nevím nechci mid early late old enough years months physio pills
    tablets painkillers injections mri scan yoga pilates massage chiropractor
    acupuncture paracetamol ibuprofen tramadol meds medication exercise exercises only
    email e-mail phone mobile number at by dot com most days day every maybe definitely
    great mind clear normal disc discs worn bulging nerve relief
"""
# ... nor of number words: "fifty two" answers another question.
_NOT_NAME_WORDS = frozenset(_NOT_NAME_TEXT.split()) | set(UNITS) | set(TENS)
_VOWELS = set("aeiouyáéíóúůýěäëïöüàèìòùâêîôûãõåæøœ")
# A keyboard mash: 5 consonants in a row ("asdfgh"); r and l can be syllabic ("Čtvrtník").
_MASH_SKIPS = set("rlw")

_NAME_EXAMPLE = 'Please type your name, for example "Jana Novak".'


def parse_name(text: str, today: date) -> Parsed:
    cleaned = _clean(text)
    if _DECLINE.search(cleaned):
        return Parsed.not_understood(
            "The study team needs a name to know who to ask for when they contact you. "
            "Your first name is enough."
        )
    name = cleaned
    for _ in range(3):
        name = _NAME_PREFIX.sub("", name, count=1).strip()
    name = _NAME_LEAD.sub("", name) or cleaned  # "yes", "hello": judged as they are
    # A remark after the name is dropped; if nothing is left, the whole answer is judged.
    name = _NAME_REMARK.sub("", name).strip().strip(".!,;:").strip() or name.strip(".!,;:")
    if "@" in name:
        return Parsed.not_understood("That looks like an e-mail address. " + _NAME_EXAMPLE)
    if sum(ch.isdigit() for ch in name) >= 6:
        return Parsed.not_understood("That looks like a phone number. " + _NAME_EXAMPLE)
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
    words = name.split()
    if len(words) > MAX_NAME_WORDS:
        return Parsed.not_understood(
            "That looks like more than a name. Please type just your name."
        )
    pieces = [piece.strip(".") for word in words for piece in word.lower().split("-")]
    if any(piece in _NOT_NAME_WORDS for piece in pieces) or any(_mashed(w) for w in words):
        return Parsed.not_understood("That doesn't look like a name. " + _NAME_EXAMPLE)
    if name == name.lower() or name == name.upper():
        name = _title_case(name)
    return Parsed(understood=True, value=name, evidence=cleaned)


def _mashed(word: str) -> bool:
    run = 0
    for ch in word.lower():
        if ch.isalpha() and ch not in _VOWELS and ch not in _MASH_SKIPS:
            run += 1
            if run >= 5:
                return True
        else:
            run = 0
    return False


# Name particles stay lower case inside a name: "anna van der berg" -> "Anna van der Berg".
_PARTICLES = frozenset(
    ("van", "von", "der", "den", "de", "da", "di", "du", "del", "della", "la", "le", "ten", "ter")
)


def _title_case(name: str) -> str:
    words = []
    for index, word in enumerate(name.split()):
        if index and word.lower() in _PARTICLES:
            words.append(word.lower())
        else:
            # Each piece between - and ' starts with a capital: "O'Neil", "Anna-Marie".
            words.append(re.sub(r"[^\W\d_]+", lambda m: m.group().capitalize(), word.lower()))
    return " ".join(words)


# --- phone -------------------------------------------------------------------------


@dataclass(frozen=True)
class PhoneRegion:
    """How a national number is written in one country."""

    country_code: str
    national_lengths: tuple[int, ...]  # digits after the country code
    trunk_prefix: str = ""  # "0" in the UK: dropped after +44
    example: str = ""
    # Numbers written nationally (with the trunk prefix) that can only be this
    # country's, read even when the default region is another: mobile prefixes.
    recognisable: str = ""


PHONE_REGIONS = {
    "CZ": PhoneRegion("420", (9,), example="+420 601 123 456"),
    "SK": PhoneRegion(
        "421",
        (9,),
        trunk_prefix="0",
        example="+421 901 123 456",
        # 090x, 091x, 094x: not 093 or 095-099, Ukrainian mobiles written the same way
        recognisable=r"09[014]\d{7}",
    ),
    "GB": PhoneRegion(
        "44", (9, 10), trunk_prefix="0", example="+44 7700 900123", recognisable=r"07\d{9}"
    ),
    "US": PhoneRegion("1", (10,), example="+1 202 555 0143"),
    "DE": PhoneRegion(
        "49",
        tuple(range(6, 12)),
        trunk_prefix="0",
        example="+49 30 1234567",
        recognisable=r"01[5-7]\d{7,9}",
    ),
    "AT": PhoneRegion(
        "43",
        tuple(range(4, 14)),
        trunk_prefix="0",
        example="+43 664 1234567",
        recognisable=r"06[5-9]\d{8,11}",  # 11+ digits: "06 12345678" is Dutch
    ),
}
# The study site is in Prague: numbers without a country code are Czech by default.
DEFAULT_PHONE_REGION = "CZ"
E164_MIN_DIGITS = 8
E164_MAX_DIGITS = 15
# A North American number without its country code: area code and exchange start 2-9.
_NANP = re.compile(r"^[2-9]\d{2}[2-9]\d{6}$")
# Enough digits to be a phone number rather than an age or a remark ("after 5pm").
_MIN_RUN_DIGITS = 6

# Digits as people group them: "+420 603 111 222", "(555) 201-4567", "+44 (0)20 ...".
# A slash joins digits only when unspaced: "603 111 222 / 777 123 456" is two numbers.
_PHONE_RUN = re.compile(r"[+(]*\d(?:[\d()\-.]|\s(?=[\d(+])|/(?=\d))*")
# Letter O typed for zero inside a number: "+420 6O3 111 222".
_LETTER_O = re.compile(r"(?<=\d)[oO]+(?=\d)")
_PHONE_DECLINE = re.compile(
    r"\bno (?:phone|mobile|cell|number|telephone|calls)\b|"
    r"\bdo(?:n'?t| not) (?:have|own|use) (?:a |any |one|my own )?(?:phone|mobile|cell|"
    r"telephone|one)\b|\bdo(?:n'?t| not) have one\b|\b(?:haven'?t|have not) got (?:a |any |one)|"
    r"\be-?mail (?:only|is better|would be better|is best|is easier|instead|please|me)\b|"
    r"\bonly (?:by |via |use )?e-?mail\b|\b(?:by|via) e-?mail\b|"
    r"\b(?:prefer|rather have|rather)(?: to be contacted| contact| to be)?(?: by| via)? "
    r"(?:e-?mail|mail|writing|emailed|written)\b|\bdo(?:n'?t| not) call\b"
    r"|\b(?:just |only )?(?:use|write to|try) (?:my|the|her|his) e-?mail\b"
    r"|\b(?:the |my )?e-?mail is (?:fine|enough|ok|okay|easiest)\b",
    re.IGNORECASE,
)


def parse_phone(text: str, today: date, *, region: str = DEFAULT_PHONE_REGION) -> Parsed:
    home = PHONE_REGIONS[region]
    cleaned = _LETTER_O.sub(lambda m: "0" * len(m.group()), _clean(text))
    runs = [m for m in _PHONE_RUN.finditer(cleaned) if any(ch.isdigit() for ch in m.group())]
    numbers = [m for m in runs if sum(ch.isdigit() for ch in m.group()) >= _MIN_RUN_DIGITS]
    if not numbers:
        if _DECLINE.search(cleaned) or _PHONE_DECLINE.search(cleaned):
            return _skipped(text)
        garbled = any(_glued_to_letters(cleaned, m) for m in runs)
        if not runs or garbled:
            return Parsed.not_understood(
                f"A phone number can only have digits (and a + at the start), e.g. {home.example}."
            )
    run = (numbers or runs)[0]
    return _phone_number(run.group().strip().rstrip("-.(/").strip(), home, evidence=cleaned)


def _glued_to_letters(text: str, run: re.Match[str]) -> bool:
    """'601 12E 456': letters inside a number, not a remark after it."""
    before = text[run.start() - 1 : run.start()]
    after = text[run.end() : run.end() + 1]
    return before.isalpha() or after.isalpha()


def _phone_number(raw: str, home: PhoneRegion, *, evidence: str) -> Parsed:
    too_short = f"That number looks too short — please include the area code, e.g. {home.example}."
    too_long = f"That number looks too long — please check it, e.g. {home.example}."
    # "+44 (0)20 ...": the bracketed trunk zero is not dialled from abroad.
    raw = raw.replace("(0)", "")
    digits = re.sub(r"\D", "", raw)
    international = _international(raw, digits, home)
    if international is None and digits.startswith("0"):
        return Parsed.not_understood(
            f"Please write the number with its country code, e.g. {home.example}."
        )
    if international is None:
        return Parsed.not_understood(too_short if len(digits) < 9 else too_long)

    if len(international) < E164_MIN_DIGITS:
        return Parsed.not_understood(too_short)
    if len(international) > E164_MAX_DIGITS:
        return Parsed.not_understood(too_long)
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
    return Parsed(understood=True, value="+" + international, evidence=evidence)


def _international(raw: str, digits: str, home: PhoneRegion) -> str | None:
    """The digits after the +, or None when the number is too short or too long."""
    if raw.lstrip("(").startswith("+"):
        return digits
    if digits.startswith("00"):
        return digits[2:]
    for foreign in PHONE_REGIONS.values():
        if foreign.recognisable and re.fullmatch(foreign.recognisable, digits):
            return foreign.country_code + digits[len(foreign.trunk_prefix) :]
    if home.trunk_prefix and digits.startswith(home.trunk_prefix):
        return home.country_code + digits[len(home.trunk_prefix) :]
    if len(digits) in home.national_lengths:
        return home.country_code + digits
    if digits.startswith(home.country_code) and (
        len(digits) - len(home.country_code) in home.national_lengths
    ):
        return digits  # "420601123456": the + was left out
    if _NANP.match(digits):
        return "1" + digits  # "(555) 201-4567"
    if len(digits) == 11 and _NANP.match(digits[1:]) and digits.startswith("1"):
        return digits  # "1-555-201-4567"
    return None


# --- e-mail ------------------------------------------------------------------------

_EMAIL_PREFIX = re.compile(
    r"^(?:my (?:e-?mail|e-?mail address|address) is|e-?mail(?: address)?\s*:|it's|it is|"
    r"mailto:)\s*",
    re.IGNORECASE,
)
_LOCAL = re.compile(r"^[\w.!#$%&'*+/=?^`{|}~-]+$")
_LABEL = re.compile(r"^(?!-)[^\W_](?:[\w-]*[^\W_])?$")
EXAMPLE_EMAIL = "name@example.com"
# Spelled out: "eva at example dot org", "eva (at) example (dot) org".
_SPOKEN_EMAIL = re.compile(
    r"(?P<local>[\w+\-]+(?:\s*(?:\(dot\)|\[dot\]|\bdot\b|\.)\s*[\w+\-]+)*)\s*"
    r"(?:\(at\)|\[at\]|\bat\b)\s*"
    r"(?P<domain>[\w\-]+(?:\s*(?:\(dot\)|\[dot\]|\bdot\b|\.)\s*[\w\-]+)+)",
    re.IGNORECASE,
)
_SPOKEN_DOT = re.compile(r"\s*(?:\(dot\)|\[dot\]|\bdot\b|\.)\s*", re.IGNORECASE)
# Words that may come before an address in a sentence: "you can write to eva@...".
_EMAIL_LEAD_IN = re.compile(
    r"(?:[:\-\u2013]|\b(?:is|at|to|on|use|try|e-?mail|address|mail|here|it's|its|sure|ok|"
    r"okay|yes|yeah|me)\b)\s*$",
    re.IGNORECASE,
)
_EMAIL_DECLINE = re.compile(
    r"\bno (?:e-?mail|email address|mail)\b|"
    r"\bdo(?:n'?t| not) (?:have|use|own|do|check|really use) (?:an |any |one|e-?mails?|email)|"
    r"\b(?:haven'?t|have not) got (?:an |any |one)|\bnot on e-?mail\b|"
    r"\bphone (?:only|is better|would be better|is best|is easier|instead|please)\b|"
    r"\bonly (?:by |via )?(?:phone|calls?)\b|\b(?:by|via) phone\b|"
    r"\b(?:prefer|rather)(?: to be contacted| contact| to be)?(?: by| via)?(?: a)? "
    r"(?:phone|calls?|calling|called|telephone)\b|\bcall me instead\b"
    r"|\b(?:just |only )?(?:use|call|ring|try) (?:my|the|her|his) (?:phone|number|mobile)\b"
    r"|\b(?:the |my )?(?:phone|number|mobile) is (?:fine|enough|ok|okay|easiest)\b",
    re.IGNORECASE,
)


def parse_email(text: str, today: date) -> Parsed:
    cleaned = _clean(text)
    # "petr @ gmail.com": spaces around the @ are a typing slip.
    cleaned = re.sub(r"(?<=\w)\s*@\s*(?=\w)", "@", cleaned)
    if "@" not in cleaned:
        spoken = _SPOKEN_EMAIL.search(cleaned)
        if spoken:
            address = _SPOKEN_DOT.sub(".", spoken.group("local")) + "@"
            address += _SPOKEN_DOT.sub(".", spoken.group("domain"))
            parsed = _email_address(address, evidence=cleaned)
            if parsed.understood:
                return parsed
        if _DECLINE.search(cleaned) or _EMAIL_DECLINE.search(cleaned):
            return _skipped(text)
    address = _strip_prefix(cleaned, _EMAIL_PREFIX).strip("<>\"'")
    if not address:
        return Parsed.not_understood(f"Please type your e-mail address, e.g. {EXAMPLE_EMAIL}.")
    if "@" not in address:
        if sum(ch.isdigit() for ch in address) >= 6 and not any(ch.isalpha() for ch in address):
            return Parsed.not_understood(
                f"That looks like a phone number. Please type your e-mail address, "
                f"e.g. {EXAMPLE_EMAIL}."
            )
        return Parsed.not_understood(
            f"An e-mail address needs exactly one @, e.g. {EXAMPLE_EMAIL}."
        )
    if any(ch.isspace() for ch in address):
        # A sentence around the address: "eva@example.org please", "write to eva@...".
        first = re.search(r"\S*@\S*", address)
        assert first is not None
        if not _EMAIL_LEAD_IN.search(address[: first.start()]) and first.start() > 0:
            return Parsed.not_understood("An e-mail address can't have spaces in it.")
        address = first.group().strip("<>()\"'").rstrip(".,;:!?")
    return _email_address(address, evidence=cleaned)


def _email_address(address: str, *, evidence: str) -> Parsed:
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
    return Parsed(understood=True, value=value, evidence=evidence)
