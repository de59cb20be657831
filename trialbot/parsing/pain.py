"""Whether back pain spreads into the leg, and how far.

Radicular pain, which SPINUS II excludes, is pain radiating *below the knee*; pain
into the buttock, groin, hip or thigh is allowed. So the furthest non-negated body
part decides:

* calf, shin, ankle, foot, toes, heel, "below/past the knee", "the whole leg", "all the
  way down" (no end point named), "down to the knee and a bit below" -> ``below_knee``
* buttock ("bum", "butt", "glutes"), groin, hip, thigh ("hamstring", "back of the
  thigh"), knee -> ``above_knee``. *Decision:* pain that reaches the knee ("down to my
  knee", "as far as the knee", "behind my knee") is not below it. Limits that are denied
  ("it doesn't go below the knee", "not past my thigh") also stop above the knee.
* leg, legs, "radiates", "sciatica" with no level -> ``leg_unspecified``; so is a leg
  named next to the buttock or hip only ("my bottom and the back of my leg"): the leg
  may go further. *Decision:* "sciatica" alone is ``leg_unspecified`` and not hedged —
  the candidate is sure, only the level is not said (lay "sciatica" is any pain into
  the buttock or leg); the criterion stays unknown for the study team.
* "no", "it stays in my back", "stays put", "nowhere else", "it doesn't go into my legs"
  -> ``none``.

Double negatives are undone before reading ("it's not like it never goes past my
knee" is below the knee). A limit that is not passed names where the pain stops: "no
further than my hip" (or buttock, thigh, knee), "doesn't go further than the back of my
thigh" -> ``above_knee``; "further than my knee, down to my ankle" passes it. What the
pain *used to* do does not count when the candidate says what it does now ("it used to
go down to my foot but now it stays in my back"); said to be over ("it used to go to
my foot but not any more", "sciatica years ago but not now"), it spreads nowhere
now unless the rest says where. Body parts that are only denied ("no
pain in my foot") never count as reached. If the only words are denied lower-leg parts,
the level is unclear: not understood. An answer to another question ("I'm 48", "5
years", "physio didn't help") is not understood.
"""

from __future__ import annotations

import re
from datetime import date

from trialbot.answers import Parsed
from trialbot.parsing.nlp import Analysis, Mention, analyse
from trialbot.parsing.topics import STAYS, answers_elsewhere
from trialbot.parsing.yes_no import (
    DONT_KNOW,
    DONT_KNOW_MORE,
    is_question,
    leading_answer,
    polarity,
)

_STAYS = re.compile(
    r"\b(?:stays?|only|just|mainly|mostly|all|purely)\b.*\bback\b|\bback only\b|\bjust (?:in )?"
    r"(?:my|the) back\b|\bdoes not (?:spread|radiate|go|travel|move)\b"
    r"|\b(?:purely |only |just )?axial(?: pain| back pain| lbp| only)?\b"
    r"|\b(?:confined|limited|restricted) to (?:my |the )?(?:lower |low )?back\b"
)
# "it used to go down to my foot but now it stays in my back": read from "now" on.
_USED_TO = re.compile(r"\bused to\b.*?\b(?:but\s+)?(?:now|these days|nowadays)\b")
# "it used to go down to my foot but not any more", "I had sciatica years ago but not
# now": what it did before is over; read what follows, and nothing there means none.
_NO_LONGER = re.compile(
    r"\b(?:used to|years ago|in the past|before|previously|at first)\b.*?"
    r"\b(?:(?:but\s+)?(?:not|no)\s+(?:any\s*more|now|any longer|these days|nowadays|since)"
    r"|(?:but\s+)?(?:it\s+)?(?:no longer|has stopped|stopped|went away|is gone|has gone))\b"
)
# "down to the knee and a bit below", "maybe a bit further": past the knee.
_PAST_KNEE = re.compile(
    r"\bknees?\b[^.;]*?\b(?<!no )(?<!not )(?<!never )(?:a (?:bit|little) |slightly |just |even )?"
    r"(?:below|further|lower|beyond)\b(?! (?:the |my )?(?:thigh|hip|buttock|bum|waist))"
    # "the knee and below are spared": below the knee is free of pain
    r"(?!\s+(?:is|are|remain|remains|stay|stays)\s+(?:\w+\s+)?(?:spared|fine|ok|okay|free|"
    r"unaffected|normal|pain free)\b)"
)
# A limit the pain does not pass, naming where it stops: "no further than my hip",
# "doesn't go further than the back of my thigh", "not past my thigh". The part named is
# the furthest the pain reaches (all of these are above the knee, the knee included).
_STOP_PARTS = {
    "hip": "hip",
    "hips": "hip",
    "buttock": "hip",
    "buttocks": "hip",
    "bum": "hip",
    "bottom": "hip",
    "glute": "hip",
    "glutes": "hip",
    "groin": "hip",
    "waist": "hip",
    "thigh": "thigh",
    "thighs": "thigh",
    "hamstring": "thigh",
    "hamstrings": "thigh",
    "upper leg": "thigh",
    "knee": "knee",
    "knees": "knee",
}
_NO_FURTHER = re.compile(
    r"\b(?:no|not|never)\s+(?:(?:really|ever|usually|normally)\s+)?"
    r"(?:(?:go|goes|spread|spreads|radiate|radiates|travel|travels|move|moves|get|gets|"
    r"come|comes|extend|extends|reach|reaches)\s+)?(?:(?:any|much)\s+)?"
    r"(?:further|farther|lower|past|beyond|below)\s+(?:than\s+)?(?:(?:the|my|his|her|both)\s+)?"
    r"(?:(?:back|top|front|side|middle|bottom)\s+of\s+(?:(?:the|my|his|her)\s+)?)?"
    r"(?P<part>" + "|".join(sorted(_STOP_PARTS, key=len, reverse=True)) + r")\b"
)
_FINE_PART = re.compile(
    r"\b(?:is|are|feel|feels|seem|seems|remain|remains|stay|stays)\s+(?:totally\s+|completely\s+|"
    r"perfectly\s+|quite\s+|entirely\s+|absolutely\s+|really\s+)?"
    r"(?:fine|ok|okay|normal|good|all right|alright|unaffected|pain free|spared|free)\b"
)
# Above-knee words at thigh level: a leg named with these is not left open.
_THIGH_LEVEL = re.compile(r"thigh|hamstring|knee|upper leg|top of my leg", re.IGNORECASE)
_OWN_TOPICS = frozenset({"radicular_pain", "low_back_pain"})
_KNEE = re.compile(r"\bknees?\b")
# Not knowing whether: "I don't know if it goes below the knee", "not sure whether".
_WONDERS = re.compile(
    r"(?:" + DONT_KNOW.pattern + "|" + DONT_KNOW_MORE.pattern + r")\s+(?:if|whether)\b"
)
# The question's own word asked about: "I don't know what radiate means".
_ASKS_WORD = re.compile(
    r"\bwhat\s+(?:does\s+|do\s+|is\s+)?(?:the\s+word\s+)?(?:you\s+mean\s+by\s+)?[\"']?"
    r"(?:radiate|radiates|radiating|radiation|spread|spreads|radicular|radiculopathy)[\"']?"
    r"(?:\s+(?:means?|is))?\b"
)
# The words of not knowing, left out when reading what is denied.
_UNSURE = re.compile(DONT_KNOW.pattern + "|" + DONT_KNOW_MORE.pattern)


def parse_pain_location(text: str, today: date) -> Parsed:
    return read_pain_location(analyse(text))


def read_pain_location(analysis: Analysis) -> Parsed:
    norm, said_as = analysis.norm, analysis.text
    since = 0
    asked = _ASKS_WORD.search(norm)
    if asked and re.search(r"[a-z]{2}", _ASKS_WORD.sub(" ", norm)):
        # "I don't know what radiate means, it stays in my back": the word asked about
        # is not said of the pain.
        analysis = analyse(_ASKS_WORD.sub(" , ", norm))
        norm = analysis.norm
    used_to = _USED_TO.search(norm) or _no_longer(analysis)
    if used_to and norm[used_to.end() :].strip():
        # What it does now, read on its own: the "not any more" of what is over denies
        # nothing in "it used to stay in my back but not anymore, now it goes to my calf".
        analysis = analyse(norm[used_to.end() :])
        norm = analysis.norm
    elif used_to:
        since = used_to.end()
        norm = norm[since:]
    # "I can't tell, sometimes I get an ache around the knee": not knowing denies nothing.
    unsure = DONT_KNOW.search(norm) or DONT_KNOW_MORE.search(norm)
    # "I don't know if it goes below the knee": what follows "if" is not said, only asked.
    wondered = _WONDERS.search(norm)
    wondered_about = re.split(r"[,.;!?]|\bbut\b", norm[wondered.end() :])[0] if wondered else ""
    unsure_hedge = bool(unsure) or bool(analysis.hedge_cues)
    if unsure and any(m.negated for m in analysis.mentions):
        analysis = analyse(_UNSURE.sub(" , ", norm))
        norm = analysis.norm
    # Words inside "no further than my hip" say where the pain stops, not where it is.
    stops = [
        (since + stop.start(), since + stop.end(), stop) for stop in _NO_FURTHER.finditer(norm)
    ]
    now = [
        m
        for m in analysis.mentions
        if m.start >= since and not any(a <= m.start < b for a, b, _ in stops)
    ]
    labels = ("BODY", "RADIATE", "LIMIT")
    # "my legs are fine": a part said to be fine is denied, not reached.
    fine = {m for m in now if m.label == "BODY" and _FINE_PART.search(analysis.clause_of(m))}
    body = [m for m in now if m.label in labels and not m.negated and m not in fine]
    denied = [m for m in now if m.label in ("BODY", "RADIATE") and (m.negated or m in fine)]
    denied_limits = [m for m in now if m.label == "LIMIT" and m.negated] + [
        Mention(
            label="LIMIT",
            value=_STOP_PARTS[stop.group("part")],
            text=stop.group(),
            negated=True,
            hedged=False,
            start=a,
            end=b,
        )
        for a, b, stop in stops
    ]
    hedged = bool(analysis.hedge_cues)
    answer = leading_answer(norm)
    if answer is None and is_question(norm):
        return Parsed.not_understood()  # "what does radiate mean?"

    level, found = _furthest(body, denied_limits, norm)
    if (
        unsure
        and level == "above_knee"
        and all(m.label == "BODY" and _KNEE.search(m.text) for m in found)
    ):
        # Unsure, and it reaches the knee: whether it goes below is not known.
        return Parsed.dont_know(evidence=said_as)
    if level is not None and found and all(m.text in wondered_about for m in found):
        return Parsed.dont_know(evidence=said_as)  # "not sure if it goes past my knee"
    if level is not None:
        return Parsed(
            understood=True,
            value=level,
            hedged=hedged or unsure_hedge or any(m.hedged for m in found),
            evidence=", ".join(m.text for m in found) or said_as,
        )

    over = used_to is not None and _NO_LONGER.match(used_to.group()) is not None
    if over and not [m for m in now if m.label in labels]:
        # "it used to go down to my foot but not any more": nothing spreads now.
        return Parsed(understood=True, value="none", hedged=hedged, evidence=said_as)
    denied_leg = [m for m in denied if _level(m) in ("leg_unspecified", "above_knee")]
    if denied_leg or answer == "no" or _STAYS.search(norm) or STAYS.search(norm):
        return Parsed(understood=True, value="none", hedged=hedged, evidence=said_as)
    if denied:
        # Only lower-leg parts denied ("not into my foot"): how far it goes is unclear.
        return Parsed.not_understood()
    if unsure:
        said = polarity(norm)
        if not (said.understood and said.value):
            return Parsed.dont_know(evidence=said_as)
    if answers_elsewhere(analysis, _OWN_TOPICS):
        return Parsed.not_understood()  # "I'm 48", "physio didn't help"
    if any(m.value == "back" for m in body):
        return Parsed(understood=True, value="none", hedged=hedged, evidence=said_as)
    said = polarity(norm)
    if said.is_dont_know:
        return Parsed.dont_know(evidence=said_as)
    if said.understood:
        value = "leg_unspecified" if said.value == "yes" else "none"
        return Parsed(understood=True, value=value, hedged=said.hedged, evidence=said_as)
    return Parsed.not_understood()


def _no_longer(analysis: Analysis) -> re.Match[str] | None:
    """ "it used to go to my foot but not any more" — unless a leg part is said of now."""
    norm = analysis.norm
    over = _NO_LONGER.search(norm)
    if (
        over is None
        or any(
            m.label in ("BODY", "RADIATE")
            and m.value != "back"
            and m.start < over.start()
            # "I had sciatica years ago but not now" is one clause; in "down to my foot, the
            # physio once helped but not any more" the foot is said of now
            and re.search(r"[,.;!?]|\b(?:but|and)\b", norm[m.end : over.start()])
            for m in analysis.mentions
        )
    ):
        return None
    return over


def _furthest(
    body: list[Mention], denied_limits: list[Mention], norm: str
) -> tuple[str | None, list[Mention]]:
    """The furthest level reached, and the words that say so."""
    levels = {m: _level(m) for m in body}
    parts = [m for m in body if m.value not in ("back", "all_the_way")]
    below = [m for m in body if levels[m] == "below_knee"]
    # "all the way down" reaches below the knee unless it names where it stops.
    if not [m for m in parts if levels[m] != "leg_unspecified"]:
        below += [m for m in body if m.value == "all_the_way"]
    if below:
        return "below_knee", below
    above = [m for m in body if levels[m] == "above_knee"]
    # "it doesn't go below the knee", "not past my thigh": it stops above the knee.
    stops = [m for m in denied_limits if m.value in ("knee", "thigh", "hip")]
    if above and _PAST_KNEE.search(norm) and any("knee" in m.text.lower() for m in above):
        return "below_knee", above
    legs = [m for m in body if levels[m] == "leg_unspecified" and m.label == "BODY"]
    if above or stops:
        thigh_level = any(_THIGH_LEVEL.search(m.text) for m in above) or stops
        if legs and not thigh_level:
            return "leg_unspecified", legs + above  # "my bottom and the back of my leg"
        return "above_knee", above + stops
    unspecified = [m for m in body if levels[m] == "leg_unspecified"]
    if unspecified:
        return "leg_unspecified", unspecified
    return None, []


def _level(mention: Mention) -> str:
    if mention.label == "LIMIT":
        # Going past the knee or the thigh reaches below the knee; past the hip, the leg.
        return "leg_unspecified" if mention.value == "hip" else "below_knee"
    if mention.label == "RADIATE" or mention.value == "leg":
        return "leg_unspecified"
    return mention.value
