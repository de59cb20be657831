"""Yes/no answers, and the answer polarity other parsers start from.

Works on :attr:`Analysis.norm`, where chat spellings are already normalized
("yeah" -> "yes", "nope" -> "no", "dunno" -> "do not know", "don't" -> "do not").

Decisions:

* An answer that belongs to another question is not a yes or a no: "I'm 48" (an age),
  "physio didn't help", "about 2 years" are not understood. A message that opens with
  a bare answer word still answers: "yes — what is SPECT?" is a yes, "no thanks, I'd
  rather not give out medical details" a no.
* Echoes ("I do", "I have", "I am", "it is") are a yes only when nothing but fillers
  follow: "I do, most days" is a yes, "I'm 48" is not.
* A question back ("does sciatica count?") is not an answer.
* How often, for "pain on most days?": "most days", "every day", "all the time",
  "constantly", "not every day but most" -> yes; "rarely", "hardly ever", "not most
  days" -> no; "sometimes", "only sometimes", "occasionally", "on and off", "comes and
  goes", "only when I lift things" -> a *hedged* no: not on most days as far as said,
  so the study team asks (a hedged answer never excludes). So is "every day" said of
  a spell with gaps: "some weeks it's every day and then nothing for a month". The reading is the same for
  every yes/no question; only the pain question asks how often.
* "maybe" (or "perhaps", "possibly") on its own leans neither way: don't know.
  "probably", "I think so", "I guess so", "suppose so" are a hedged yes.
* "I'd rather not" and "I'd prefer not to" are a no; "I'd rather not say" is don't know.
* "I don't mind", "why not", "go for it", "sounds good" are a yes; "I'll pass", "not
  interested", "only about this study" are a no. Czech "ano" / "ne" are yes / no (the
  study site is in Prague).
"""

from __future__ import annotations

import re
from datetime import date

from trialbot.answers import Parsed
from trialbot.parsing.nlp import Analysis, analyse
from trialbot.parsing.topics import answers_elsewhere


def _words(*phrases: str) -> re.Pattern[str]:
    # Longest first, so "of course not" wins over "of course".
    ordered = sorted(phrases, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in ordered) + r")\b")


# Shared with the age and duration parsers: keep additions safe for them.
DONT_KNOW = _words(
    "do not know",
    "no idea",
    "not sure",
    "unsure",
    "can not remember",
    "cannot remember",
    "do not remember",
    "not certain",
    "no clue",
    "can not recall",
    "do not recall",
    "can not say",
    "hard to say",
    "who knows",
    "forgot",
    "i forget",
    "not remember",
    "rather not say",
    "prefer not to say",
    "would rather not",
    "no comment",
    "have to check",
    "need to check",
    "have to ask",
    "need to ask",
    "not know",
    "could not tell you",
    "can not tell you",
    "could not say",
    "could not tell",
    "do not really know",
    "do not actually know",
    "do not exactly know",
    "not really sure",
    "not quite sure",
    "not too sure",
    "not so sure",
)
# Further "don't know" phrasings for the parsers of this package's clinical answers.
DONT_KNOW_MORE = _words(
    "hard to describe",
    "hard to tell",
    "difficult to say",
    "difficult to describe",
    "depends",
    "undecided",
    "not decided",
    "can not tell",
    "cannot tell",
)
HEDGED_NO = _words(
    "do not think so",
    "probably not",
    "i doubt it",
    "i doubt",
    "doubt it",
    "not that i know",
    "not that i remember",
    "not that i am aware",
    "not as far as i know",
    "i think not",
    "maybe not",
    "do not believe so",
    "do not think",
    "unlikely",
    "not really sure but no",
    "not that i recall",
    "possibly not",
    "i guess not",
    "i suppose not",
    "perhaps not",
    "not that anyone told me",
    "not that i have been told",
)
HEDGED_YES = re.compile(
    r"\b(?:i\s+)?(?:think|guess|suppose|believe|reckon|would say|'d say)\s+so\b"
    r"|\bi\s+(?:think|guess|suppose|reckon)\s*(?:[,.!?;]|$)"
    r"|\b(?:probably|possibly|perhaps|maybe|likely|most likely|kind of|sort of|more or less|"
    r"pretty sure|fairly sure|i think|sometimes|a bit|a little)\b"
)
# The whole answer is a shrug: "maybe", "perhaps?", "could be".
_SHRUG = re.compile(r"^\W*(?:maybe|perhaps|possibly|might be|could be|may be)\W*$")
NO = _words(
    "no",
    "never",
    "none",
    "not really",
    "not at all",
    "i do not",
    "i have not",
    "i did not",
    "i am not",
    "it does not",
    "it is not",
    "it did not",
    "nothing",
    "negative",
    "no way",
    "not",
    "of course not",
    "definitely not",
    "absolutely not",
    "certainly not",
    "not yet",
    "n",
    "i will pass",
    "i shall pass",
    "only about this study",
    "only this study",
    "just this one",
    "just this study",
)
YES = re.compile(
    r"\b(?:yes|sure|of course|definitely|absolutely|certainly|correct|indeed|affirmative|"
    r"that is right|that is correct|true|ok|okay|always|y|no doubt|for sure|yes please|"
    r"i have had|i agree|agree|agreed|i consent|consent|go ahead|go on|go on then|go for it|"
    r"let us do it|let us go|let us start|alright|all right|k|kk|okie dokie|okey dokey|"
    r"sounds good|sounds fine|happy to|glad to|please do|fine|fine by me|that is fine|"
    r"sadly|unfortunately|regrettably|afraid so|yes yes|why not|of course|keen)\b"
    r"|\b(?:i|that)\s+(?:'d|would)\s+(?:like|love|be great|be good|be fine|be lovely)\b"
    r"|\bwould be (?:great|good|lovely|nice)\b|👍"
)
# "I do", "it does", "I have" — a yes when nothing but fillers follow.
_ECHO_YES = re.compile(
    r"(?:^|[,.!?;]\s*)(?:yes\s+|well\s+)?(?:i|it|we|they)\s+(?:(?:really|certainly|definitely|"
    r"sure|still)\s+)?(?:do|have|am|does|is|did|had|have had|do have|still do)\b"
    r"(?=\s*(?:[,.!?;]|$|(?:yes|too|though|sadly|unfortunately|indeed|really|most days|every "
    r"day|all the time|a lot|constantly|daily)\b))"
    r"|\bi (?:really |certainly |definitely )?do have\b"
    # "I have it", "I still have it" (after "I wouldn't say I don't have it")
    r"|(?:^|[,.!?;]\s*)(?:yes\s+|well\s+)?i\s+(?:(?:still|do|really)\s+)?have\s+(?:it|that)\b"
    r"(?=\s*(?:[,.!?;]|$)|\s+(?:too|though|sadly|unfortunately|most days|every day|all the time|"
    r"a lot|daily)\b)"
)
# Set phrases rewritten before the yes/no words are read.
_REWRITES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\bye+s+\b|\byess+\b|\bye+p+\b"), "yes"),
    (re.compile(r"\bno+\b"), "no"),
    (_words("no problem", "no problems", "no worries"), " "),
    (_words("no doubt"), "yes"),
    (
        re.compile(
            r"\b(?:i\s+)?(?:can not|do not|could not|cannot) see (?:any reason )?why not\b"
            r"|\bwhy not\b"
        ),
        "yes",
    ),
    (re.compile(r"\b(?:i\s+)?(?:do|would|'d) not mind\b"), "yes"),
    (
        re.compile(
            r"\b(?:i\s+)?(?:do|does|did|will|would|can|could) not (?:agree|consent|want|wish)\b"
        ),
        "no",
    ),
    (re.compile(r"(?:\bwould|'d) (?:rather|prefer) not(?! say| to say)\b"), "no"),
    (re.compile(r"\bplease do not\b"), "no"),
    (re.compile(r"\bprefer not to(?! say)\b"), "no"),
]
# A hedge settled by a closing "yes": "I guess so, yes", "I think so. Yes." — but not
# words of real doubt ("maybe", "probably"), which stay hedged.
_SETTLED_YES = re.compile(r"\b(?:think|guess|suppose|reckon|believe)\s+so\s*[,.!;]?\s*yes\W*$")
_STRONG_DOUBT = re.compile(r"\b(?:maybe|perhaps|possibly|probably|not sure|might)\b")
# "yes and no", "yes or no": a contradiction, not an answer.
BOTH = _words("yes and no", "yes or no", "either way")


def _prepare(norm: str) -> str:
    for pattern, replacement in _REWRITES:
        norm = pattern.sub(replacement, norm)
    return norm


def polarity(norm: str) -> Parsed:
    """Classify normalized text as yes / no / don't know (``value`` None) / not understood."""
    if not norm.strip() or BOTH.search(norm):
        return Parsed.not_understood()
    norm = _prepare(norm)
    if _SHRUG.match(norm):
        return Parsed.dont_know(evidence=norm.strip())
    hedged_no = HEDGED_NO.search(norm)
    if hedged_no:
        return Parsed(understood=True, value="no", hedged=True, evidence=hedged_no.group())
    hedged_yes = HEDGED_YES.search(norm)
    if hedged_yes and _SETTLED_YES.search(norm) and not _STRONG_DOUBT.search(norm):
        # "I guess so, yes": the doubt is settled by the last word.
        return Parsed(understood=True, value="yes", evidence=hedged_yes.group())
    if hedged_yes:
        return Parsed(understood=True, value="yes", hedged=True, evidence=hedged_yes.group())
    dont_know = DONT_KNOW.search(norm)
    if dont_know:
        return Parsed.dont_know(evidence=dont_know.group())
    no = NO.search(norm)
    # Cut the no-phrases out first: "i have not" must not also count as "i have".
    without_no = NO.sub(" ", norm)
    yes = YES.search(without_no) or _ECHO_YES.search(without_no)
    if no and yes:
        return Parsed.not_understood()
    if no:
        return Parsed(understood=True, value="no", evidence=no.group())
    if yes:
        return Parsed(understood=True, value="yes", evidence=yes.group().strip(" ,.!?;"))
    return Parsed.not_understood()


_LEADING = re.compile(
    r"^\W*(?P<word>yes please|yes|no thanks|no thank you|no|sure|of course|definitely|"
    r"absolutely|certainly|correct|indeed|ok|okay|alright|never|none|not really|nothing|"
    r"no way|n|y|k)\s*(?:[,.!;:\-—–]|$)"
)
_LEADING_YES = {
    "yes",
    "yes please",
    "sure",
    "of course",
    "definitely",
    "absolutely",
    "certainly",
    "correct",
    "indeed",
    "ok",
    "okay",
    "alright",
    "y",
    "k",
}


# Words that only acknowledge what the bot said, then the answer: "ok then no".
_ACKNOWLEDGED_NO = re.compile(
    r"^\W*(?:ok|okay|alright|all right|k|right|i see)\W+"
    r"(?:(?:then|so|well|in that case|thanks|thank you)\W+)*(?:no|none|nothing|not really|never)"
    r"\b(?!\s*(?:problem|worries)\b)"
)
# "yes and it goes into my leg", "no I'm not pregnant": a yes or no that runs on.
_LEADING_RUN_ON = re.compile(
    r"^\W*(?P<word>yes|no)\s+(?=(?:and|but|i|it|my|though|because|as|so|thanks|thank)\b)"
)


def leading_answer(norm: str) -> str | None:
    """ "yes" / "no" when the message opens with a bare answer word ("no, it stays...")."""
    prepared = _prepare(norm)
    if _ACKNOWLEDGED_NO.match(prepared):
        return "no"  # "ok then no", "alright, then no, nothing": "ok" only acknowledges
    match = _LEADING.match(prepared) or _LEADING_RUN_ON.match(prepared)
    if not match:
        return None
    return "yes" if match.group("word") in _LEADING_YES else "no"


_QUESTION = re.compile(
    r"^\W*(?:what|whats|what 's|how|who|whom|why|when|where|which|does|do|is|are|can|could|"
    r"will|would|should|shall|did|has|have|am|may|must)\b"
)


def is_question(norm: str) -> bool:
    """A question back ("what's a tracer?", "does sciatica count?"), not an answer."""
    return "?" in norm and bool(_QUESTION.match(norm)) and not norm.startswith("why not")


# How often, for "do you have pain on most days?".
_NOT_EVERY_BUT_MOST = re.compile(
    r"\bnot (?:every|each) (?:single )?day\b.*\bmost\b|\bmost days\b.*\bnot (?:every|each)\b"
)
_NOT_MOST = re.compile(
    r"\bnot (?:really )?(?:on )?most days\b|\bnot most of the time\b"
    r"|\b(?:would not|'d not|do not|would never) (?:say|call it) (?:on )?most days\b"
)
_MOST = re.compile(
    r"\b(?:most days|most of the (?:time|days)|every (?:single )?day|everyday|daily|all the "
    r"time|constantly|constant|continuously|24 / 7|24/7|always|all day|non stop|nonstop|"
    r"every morning|every night|day and night|it hurts every day|most mornings|most nights|"
    r"most evenings|most of the day|more days than not|more often than not|most of the week)\b"
)
_RARELY = re.compile(
    r"\b(?:rarely|hardly ever|seldom|not often|almost never|very rarely|once in a blue moon|"
    r"barely ever)\b"
)
_SOMETIMES = re.compile(
    r"\b(?:sometimes|only sometimes|occasionally|now and then|now and again|on and off|"
    r"off and on|comes and goes|come and go|some days|once in a while|from time to time|"
    r"here and there|not every day|every so often|flares? up|only (?:when|if|after))\b"
)

# Spells without pain: "some weeks it's every day and then nothing for a month" is not
# pain on most days, whatever "every day" says.
_GAPS = re.compile(
    r"\b(?:(?:and )?then nothing|nothing (?:at all )?for (?:a|weeks|months)|"
    r"(?:pain free|painfree|pain - free|fine|ok|okay|good|normal|gone) for (?:a (?:week|month|while|"
    r"few weeks|few months|couple of weeks|couple of months)|weeks|months)|"
    r"(?:weeks|months) (?:without|with no) (?:any )?pain|"
    r"other (?:weeks|months|times) (?:nothing|no pain|it is fine|it is gone|i am fine))\b"
)
_NEGATED_GAP = re.compile(r"\b(?:never|not|no|hardly|rarely|barely)\s+(?:\w+\s+)?$")

# A count per week or month: "twice a week", "maybe 3 times a month".
_TIMES_PER = re.compile(
    r"\b(?P<n>once|twice|thrice|(?:\d+|one|two|three|four|five|six|seven|a few|a couple of|few|"
    r"couple of|several)\s+(?:times|days))\s+(?:a|per|every|each|in a|out of)\s+"
    r"(?P<unit>week|month|fortnight|year|7)\b"
)
_TIMES = {"once": 1, "twice": 2, "thrice": 3, "one": 1, "two": 2, "three": 3, "four": 4,
          "five": 5, "six": 6, "seven": 7, "a few": 3, "few": 3, "a couple of": 2,
          "couple of": 2, "several": 4}  # fmt: skip


def _times_per_week(norm: str) -> Parsed | None:
    """ "twice a week" is not most days; "5 times a week" is."""
    match = _TIMES_PER.search(norm)
    if not match:
        return None
    said = re.sub(r"\s+(?:times|days)$", "", match.group("n"))
    count = int(said) if said.isdigit() else _TIMES.get(said, 0)
    if match.group("unit") not in ("week", "7") or count <= 3:
        return Parsed(understood=True, value="no", evidence=match.group())
    return Parsed(understood=True, value="yes", hedged=count == 4, evidence=match.group())


def _how_often(norm: str) -> Parsed | None:
    per_week = _times_per_week(norm)
    if per_week is not None and (not _MOST.search(norm) or _NOT_MOST.search(norm)):
        return per_week
    gap = _GAPS.search(norm)
    if gap and _NEGATED_GAP.search(norm[: gap.start()]):
        gap = None  # "it's never gone for a week"
    if gap and _MOST.search(norm) and not _NOT_EVERY_BUT_MOST.search(norm):
        return Parsed(understood=True, value="no", hedged=True, evidence=gap.group())
    for pattern, value, hedged in (
        (_NOT_EVERY_BUT_MOST, "yes", False),
        (_NOT_MOST, "no", False),
        (_MOST, "yes", False),
        (_RARELY, "no", False),
        (_SOMETIMES, "no", True),
    ):
        match = pattern.search(norm)
        if match:
            # "I guess so, most days": a hedge cue still hedges.
            hedge = hedged or bool(HEDGED_YES.search(norm.replace(match.group(), " ")))
            return Parsed(understood=True, value=value, hedged=hedge, evidence=match.group())
    return None


# For "pain in your lower back?": an answer that only names another part of the back.
_PAIN_ELSEWHERE = re.compile(
    r"^\W*(?:(?:it is|it 's|its|it s|the pain is|that is|mine is|his is|her is)\s+)?"
    r"(?:(?:more|mainly|mostly|only|just|actually|really|all)\s+)*(?:in\s+)?"
    r"(?:my|his|her|the|their)?\s*(?:neck|upper back|top of (?:my|the|his|her) back|"
    r"shoulders?|shoulder blades?|between (?:my|the|his|her) shoulder blades|mid back|"
    r"middle back|middle of (?:my|the|his|her) back|thoracic|chest)\b"
)
_LOW_BACK = re.compile(
    r"\b(?:low|lower|lumbar|small of|bottom of|base of|lower part of)\b.{0,20}\b(?:back|spine)\b"
    r"|\blumbar\b|\blower back\b|\blow back\b"
)
# A yes that only adds where: "mostly my lower back yeah", "yep, the small of my back" (the
# location words alone would send it to the radiation question). Without a yes word it
# stays unread: this parser also reads consent.
_LOW_BACK_PLACE = (
    r"(?:(?:mostly|mainly|mostly just|just|only|all|always|right)\s+)?(?:in\s+|at\s+)?"
    r"(?:my|the)\s+(?:lower back|low back|small of my back|bottom of my back|lumbar area|"
    r"lumbar region|lower spine)(?:\s+(?:mostly|mainly|area|region))?"
)
_LOW_BACK_HERE = re.compile(
    r"^\W*(?:yes|yeah|yep|yup)\W+" + _LOW_BACK_PLACE + r"\W*$"
    r"|^\W*" + _LOW_BACK_PLACE + r"\W+(?:yes|yeah|yep|yup)\W*$"
)
_CONTRADICTS = {
    "yes": re.compile(r"(?:^|[,.!?;]\s*)(?:no|nope|not really)\s*(?:[,.!?;]|$)"),
    "no": re.compile(r"(?:^|[,.!?;]\s*)(?:yes|yep)\s*(?:[,.!?;]|$)"),
}


def parse_yes_no(text: str, today: date) -> Parsed:
    return read_yes_no(analyse(text))


# A first answer taken back at once: "no wait, yes", "no, sorry, I mean yes", "yes -
# oops, no". The answer after the correction counts.
_TAKEN_BACK = re.compile(
    r"^\W*(?:yes|no)\b\W*(?:(?:wait|sorry|oops|i mean|i meant|actually|scratch that|correction|"
    r"hang on|hold on|my mistake|my bad|no wait|wrong)\b\W*)+(?=\w)"
)


def read_yes_no(analysis: Analysis) -> Parsed:
    norm = _prepare(analysis.norm)
    taken_back = _TAKEN_BACK.match(norm)
    if taken_back and leading_answer(norm[taken_back.end() :]) is not None:
        norm = norm[taken_back.end() :]
    if not norm.strip() or BOTH.search(norm):
        return Parsed.not_understood()
    lead = leading_answer(norm)
    if lead is not None:
        word = _LEADING.match(norm) or _LEADING_RUN_ON.match(norm)
        evidence = word.group("word") if word else lead
        rest = norm[word.end() :] if word else norm
        if _CONTRADICTS[lead].search(rest):
            return Parsed.not_understood()  # "yes... no"
        # "yes I think", "yes, sometimes": the answer is given with doubt.
        hedged = bool(HEDGED_YES.search(rest) or HEDGED_NO.search(rest)) and not _MOST.search(rest)
        return Parsed(understood=True, value=lead, hedged=hedged, evidence=evidence)
    if is_question(norm):
        return Parsed.not_understood()
    often = _how_often(norm)
    if often is not None:
        return often
    elsewhere = _PAIN_ELSEWHERE.match(norm)
    if elsewhere and not _LOW_BACK.search(norm):
        # "it's my neck", "mainly between the shoulder blades": not the lower back.
        return Parsed(understood=True, value="no", evidence=elsewhere.group().strip())
    here = _LOW_BACK_HERE.match(norm)
    if here:
        return Parsed(understood=True, value="yes", evidence=here.group().strip())
    if answers_elsewhere(analysis, {"low_back_pain"}):
        return Parsed.not_understood()  # "I'm 48", "physio didn't help"
    reading = polarity(norm)
    if not reading.understood and DONT_KNOW_MORE.search(norm):
        return Parsed.dont_know(evidence=norm)
    return reading
