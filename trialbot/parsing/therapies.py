"""Conservative treatments tried, and whether they gave relief.

Decisions:

* An osteopath counts as ``chiropractic`` (both are manual spinal manipulation).
  Radiofrequency ablation (RFA, "RF ablation", rhizotomy), TENS, heat, braces, CBD and a
  pain clinic are ``other``; facet and nerve-block injections are ``injections``.
* Relief is the best any treatment gave, ``lasting`` > ``temporary`` > ``none``: one
  treatment that worked for good means conservative care did not fail.
* Relief that ends is ``temporary``: "helped for a bit", "gives me a few good days, then
  it's back", "fixed it for two years, now it's back", "the pain came back after 6
  months", "worked brilliantly until I had to stop", and relief only while the treatment
  goes on ("as long as I take them", "takes the edge off").
* ``none``: "nothing worked", "useless", "no joy", "still hurts", "it never really goes",
  "none of it made it go away for good", "nothing has helped long term".
* ``lasting``: "sorted it out, no pain for a year now", "fixed it", "the pain is gone for
  good", "pain free now".
* An unqualified "it helped" / "helped a bit" says neither how much nor how long:
  relief stays ``None`` for the study team to ask.
* Relief said with no treatment named ("I've tried everything, nothing works", "loads of
  stuff, nothing worked") means something was tried: ``tried == ["other"]``.
* "nothing", "none", "nothing yet", "I haven't tried anything", "I haven't seen anyone
  about it yet" mean ``tried == []``; a treatment only waited for or planned ("waiting
  for a physio appointment", "I'm going to start physio next month") was not tried,
  and said alone it means ``tried == []``.
* An opening hedge ("suppose so, the physio was pretty useless") hedges the answer.
* An answer to another question ("I'm 62", "MRI showed bulging discs", "no tumours") or
  a question back ("what's a chiropractor?") is not understood.
"""

from __future__ import annotations

import re
from datetime import date

from trialbot.answers import Parsed
from trialbot.parsing.nlp import Analysis, Mention, analyse
from trialbot.parsing.topics import answers_elsewhere
from trialbot.parsing.yes_no import DONT_KNOW, is_question, leading_answer

THERAPIES = (
    "physiotherapy",
    "medication",
    "injections",
    "chiropractic",
    "exercise",
    "massage",
    "acupuncture",
    "other",
)

_HELP = (
    r"(?:help|helped|helps|helping|work|worked|works|relief|better|eased|easier|improved|"
    r"felt (?:great|good|fine|amazing|brilliant))"
)
_A_WHILE = (
    r"(?:a while|a bit|a short (?:time|while)|(?:about |around |only |just )?(?:a few|few|a couple of|"
    r"couple of|\d+|a|an|one|two|three|four|five|six) (?:hours?|days?|weeks?|months?|years?)"
    r"|a day or two|a week or two)"
)
# A span of time, "a whole year" and "about 18 months" too.
_SPAN = (
    r"(?:(?:(?:about|around|almost|nearly|over|only|just|maybe)\s+)?(?:a few|a couple of|a|an|one|"
    r"two|three|four|five|six|\d+(?:\.\d+)?)\s+(?:(?:whole|full|good|solid)\s+)?"
    r"(?:days?|weeks?|months?|years?)"
    r"|(?:a\s+)?(?:good|whole|full)\s+(?:days?|weeks?|months?|years?))"
)
RELIEF_NONE = re.compile(
    r"\b(?:(?:did|does|do|has|have|had|would) not|never|none(?: of (?:it|them|these|those))?|"
    r"neither)"
    r"\s+(?:really\s+|much\s+|even\s+|ever\s+)?(?:help|helped|helps|work|worked|works|do anything|"
    r"do much|did much|make a difference|change anything|relieve|lasted|made it go away)\b"
    r"|\bnothing\s+(?:has\s+|really\s+|ever\s+|have\s+)?(?:helped|worked|works|helps|changed|"
    r"lasted|made a difference|made it go away|taken it away|took it away|got rid of it)\b"
    r"|\bno\s+(?:real\s+|lasting\s+|sustained\s+|long[- ]?term\s+)?(?:relief|difference|"
    r"improvement|help|effect|change|luck|use|benefit|joy|better|results?|success)\b"
    r"|\b(?:is|are|was|were) not (?:really )?help(?:ing|ful)\b"
    r"|\bmade no difference\b|\buseless\b|\bwaste of (?:time|money)\b|\bdid nothing\b"
    r"|\bwithout (?:any )?(?:relief|success|improvement)\b|\bmade (?:it|things) worse\b"
    r"|\bnot helped\b|\bnot effective\b|\bineffective\b|\bno good\b|\bnot (?:much|any) better\b"
    r"|\bstill (?:hurts|in pain|sore|painful|there|have (?:the )?pain|get (?:the )?pain)\b"
    r"|\bpain is still there\b|\bnever (?:really )?goes(?: away)?\b|\bit is no better\b"
    r"|\b(?:is|was|it s|its) not (?:any |much )?better\b|\bnot getting better\b"
    r"|\bdo not work\b|\bdoes not work\b|\bnot working\b|\bnepomohl[oay]\b"
    r"|\bneither (?:has|have|did|of them)\s+(?:really\s+)?(?:helped|relieved|worked)\b"
    r"|\b(?:did|do|does) not do (?:nothing|nothin|anything|much)\b|\bnot (?:much|a lot of|any) "
    r"(?:help|use|good|relief|difference)\b|\b(?:treatments? |it |all |everything )?failed\b"
    r"|\b(?:never|did not|does not|do not|has not|have not) (?:really )?(?:went|go|gone) away\b"
    r"|\b(?:the )?pain (?:stays|stayed|remains|remained|persists|persisted)\b"
    r"|(?:=|->)\s*(?:nothing|no help|zero|0)\b|\bnothing (?:changes|changed|happens|happened)\b"
    r"|(?<=\w)\s*[,;:\-]\s*nothing(?: at all| really)?\s*[.!]*$"
    r"|\bto no avail\b|\bin vain\b|\b(?:neither|none of (?:them|it|these|those)|nothing)\s+"
    r"(?:has\s+|have\s+)?(?:gave|given|afforded|brought|provided|offered)\s+(?:me\s+)?(?:any\s+)?"
    r"(?:real\s+|lasting\s+|long[- ]term\s+|permanent\s+)?relief\b"
)
RELIEF_TEMPORARY = re.compile(
    r"\b" + _HELP + r"\b[^.;]{0,40}?\bfor " + _A_WHILE + r"\b"
    r"|\b" + _HELP + r"\b[^.;]{0,40}?\b(?:at first|briefly|temporarily|short term|for a short "
    r"while|until)\b"
    r"|\b(?:wore|wears|wearing) off\b|\btemporar(?:y|ily)\b|\bshort[- ]?(?:term|lived)\b"
    r"|\b(?:pain|it) (?:came|comes|always comes|has come|is|was) back\b|\b(?<!never )came back\b"
    r"|\bcomes back\b|\b(?:it|pain|that) (?:is|'s|s) back\b|\bits back\b|\bnow it is back\b|\bback within\b"
    r"|\bthen (?:it is|it 's|it's|the pain is) back\b|\breturns?\b|\breturned\b"
    r"|\bonly for\b|\bdid not last\b|\bdoes not last\b|\bnot for long\b|\bonly lasted\b"
    r"|\blasted (?:for )?(?:about |around |only |just )?(?:a few|few|a couple of|\d+|a|an|one|"
    r"two|three|four|five|six) (?:hours?|days?|weeks?|months?)\b"
    r"|\beach (?:one|time) lasted\b|\bonly (?:a|for) (?:few|couple)\b|\bat first\b"
    r"|\b(?:a few|some|a couple of) good days\b|\bgood days?\b[^.;]{0,30}\bthen\b"
    r"|\b(?:as long as|while|when|only when) i (?:take|am taking|do|keep|use|am on)\b"
    r"|\btakes? the edge off\b|\btook the edge off\b|\bonly takes?\b|\bnothing lasted\b"
    r"|\bnot (?:for )?(?:long|good)\b|\buntil i (?:had to )?stop"
    r"|\b(?:transient|transitory)\b|\b(?:fleeting|brief)\s+(?:relief|benefit|improvement|effect)\b"
    r"|\bnothing lasting\b|\bkeeps? (?:on )?coming back\b|\bcoming back\b"
    # relief over a span that is past: "physio fixed it for a year", "I was pain free
    # for a year" (not "I've been pain free for a year now")
    r"|\b(?:fixed|sorted|cured|cleared)\b[^.;,]{0,20}?\bfor " + _SPAN + r"\b(?!\s*now\b)"
    r"|\b(?:was|were|had been|felt)\s+(?:completely\s+|totally\s+|basically\s+)?"
    r"(?:pain\s*-?\s*free|fine|ok|okay|good|great|better|normal|free of pain)\s+for "
    + _SPAN
    + r"\b(?!\s*now\b)"
    r"|\bhad (?:no pain|a good|a pain\s*-?\s*free)\b[^.;,]{0,20}?\b(?:for )?"
    + _SPAN
    + r"\b(?!\s*now\b)"
)
RELIEF_LASTING = re.compile(
    r"\bfixed\b|\bcured\b|\b(?:pain|it) (?:is|has|was|has been) (?:all |completely )?gone\b"
    r"|\bgone now\b|\bgone for good\b|\bfor good\b|\bpermanently\b|\bwent away\b|\bresolved\b"
    r"|\blasting relief\b|\bstill help(?:s|ing)\b|\bkeeps? it under control\b|\bno more pain\b"
    r"|\bpain free\b|\bsorted (?:it|me) out\b|\bcompletely better\b|\bno pain (?:since|for)\b"
    r"|\b(?:been|felt) fine (?:since|for|ever since)\b|\btook it away\b|\btaken it away\b"
    r"|\blong term\b|\bcleared (?:it|the pain|my pain|the problem)?\s*(?:up|away)?\s*"
    r"(?:completely|totally|fully|for good)\b|\bcleared (?:it |the pain |my pain )?up\b"
    r"|\b(?:has|have|did) not come back\b|\bnever came back\b|\bnot come back since\b"
)
# The pain returning after relief: it ended, whatever came before ("cured it but it came back").
_RELAPSE = re.compile(
    r"\b(?<!not )(?<!never )(?:came|comes|has come|come) back\b|\b(?:it|pain|that) (?:is|'s|s) back\b|\breturned\b"
    r"|\bstarted again\b|\bflared (?:up )?again\b"
)
_TRIED_NOTHING = re.compile(
    r"^\W*(?:no|nope|none|nothing|never|not really|not yet|nothing yet|not really anything|"
    r"nothing really|none yet|no treatment|nothing so far|none so far|no one|nobody)"
    r"(?:\s+(?:tbh|to be honest|honestly|lol|ngl|fr|haha|lmao|smh|tho|though))*\s*(?:[,.!;:\-—–]|$)"
    r"|\b(?:have not|has not|had not|not|never|did not|do not)\s+(?:yet\s+|really\s+|ever\s+)?"
    r"(?:tried|try|had|done|taken|seen|used|been given|got|received)\s+(?:\w+\s+)?(?:anything|any|"
    r"anyone|anybody|a thing|treatment|treatments|nothing)\b"
    r"|\bno treatments?\b|\bnothing (?:yet|so far|at all|like that|really)\b|\bnot tried\b"
    r"|\bnone? of (?:those|these|them|that|the above)\b|\bjust live with it\b"
    r"|\b(?:not|nothing) (?:really )?anything\b|\bnot (?:been|gone) to (?:anyone|a doctor|the doctor)\b"
)
# Treatments only waited for or planned are not tried.
_NOT_YET = re.compile(
    r"\b(?:waiting (?:list )?for|on the waiting list for|booked (?:in )?for|going to (?:try|start|"
    r"see|have)|will (?:try|start|see|have)|about to start|referred (?:to|for)|appointment (?:with|for)"
    r"|thinking about|considering|might try|want to try|would like to try)\s+(?:\w+\s+){0,2}$"
)
# Relief only: "tried everything, nothing works" names no treatment.
_TRIED_SOMETHING = re.compile(
    r"\btried (?:everything|it all|loads|lots|all sorts|so many things|many things|the lot)\b"
    r"|\bloads of (?:stuff|things)\b|\byou name it\b|\beverything\b"
)
# "going to start physio again": tried before.
_AGAIN = re.compile(r"\b(?:again|another|more|back to|restart|resume)\b")
_HEDGE_OPENING = re.compile(r"^\W*(?:i\s+)?(?:suppose|guess|think|reckon)\s+so\b")
_OWN_TOPICS = frozenset({"conservative_care"})


def parse_therapies(text: str, today: date) -> Parsed:
    return read_therapies(analyse(text))


def read_therapies(analysis: Analysis) -> Parsed:
    norm = analysis.norm
    if leading_answer(norm) is None and is_question(norm):
        return Parsed.not_understood()  # "what's a chiropractor?"
    mentions = [m for m in analysis.of("THERAPY") if not _only_planned(m, analysis)]
    tried = [t for t in THERAPIES if any(m.value == t for m in mentions)]
    relief, relief_evidence = _relief(norm)
    hedged = (
        bool(analysis.hedge_cues)
        or any(m.hedged for m in mentions)
        or bool(_HEDGE_OPENING.search(norm))
    )

    if tried:
        evidence = ", ".join([m.text for m in mentions] + relief_evidence)
        return Parsed(
            understood=True,
            value={"tried": tried, "relief": relief},
            hedged=hedged,
            evidence=evidence,
        )
    dont_know = DONT_KNOW.search(norm)
    if dont_know and relief is None:
        return Parsed.dont_know(evidence=dont_know.group())
    if (
        relief is not None
        and not _TRIED_NOTHING.search(norm)
        or (relief is None and _TRIED_SOMETHING.search(norm))
    ):
        # "I've tried everything, nothing works": something, unnamed, was tried.
        if answers_elsewhere(analysis, _OWN_TOPICS) and not _TRIED_SOMETHING.search(norm):
            return Parsed.not_understood()
        return Parsed(
            understood=True,
            value={"tried": ["other"], "relief": relief},
            hedged=hedged,
            evidence=", ".join(relief_evidence) or analysis.text,
        )
    denied = analysis.of("THERAPY", negated=True)
    # "I'm going to start physio next month": only planned, so nothing tried yet.
    planned = [m for m in analysis.of("THERAPY") if _only_planned(m, analysis)]
    said_none = denied or _TRIED_NOTHING.search(norm) or leading_answer(norm) == "no"
    if planned and not denied and relief is None and not _AGAIN.search(norm):
        denied = planned
    if (said_none or denied) and not (answers_elsewhere(analysis, _OWN_TOPICS) and not denied):
        return Parsed(
            understood=True,
            value={"tried": [], "relief": None},
            hedged=hedged,
            evidence=analysis.text,
        )
    return Parsed.not_understood()


def _only_planned(mention: Mention, analysis: Analysis) -> bool:
    """ "waiting for a physio appointment": the treatment has not been tried."""
    return bool(_NOT_YET.search(analysis.norm[: mention.start]))


def _relief(norm: str) -> tuple[str | None, list[str]]:
    lasting = [m for m in RELIEF_LASTING.finditer(norm) if not _denied_lasting(norm, m)]
    temporary = list(RELIEF_TEMPORARY.finditer(norm))
    none = list(RELIEF_NONE.finditer(norm))
    for match in lasting:
        # "fixed it for two years, now it's back", "physio cured it but it came back":
        # the relief ended.
        ended = any(_same_sentence(norm, match, t) for t in temporary) or any(
            r.start() > match.end() for r in _RELAPSE.finditer(norm)
        )
        if not ended:
            return "lasting", [match.group()]
    if temporary:
        return "temporary", [temporary[0].group()]
    if none:
        return "none", [none[0].group()]
    if lasting:
        return "temporary", [lasting[0].group()]
    return None, []


def _denied_lasting(norm: str, match: re.Match[str]) -> bool:
    """ "never fixed it", "nothing has helped for good", "none of it made it go away for
    good", "not long term": lasting relief denied."""
    before = norm[max(0, match.start() - 60) : match.start()]
    sentence_start = max(before.rfind("."), before.rfind(";"), before.rfind(","))
    before = before[sentence_start + 1 :]
    return bool(
        re.search(r"\b(?:not|never|no|nothing|none|neither|nor)\b", before)
        and not re.search(r"\bno pain\b|\bno more\b", match.group())
    )


def _same_sentence(norm: str, first: re.Match[str], second: re.Match[str]) -> bool:
    start, end = sorted((first.start(), second.start()))
    return not re.search(r"[.;!?]|\bbut\b", norm[start:end])
