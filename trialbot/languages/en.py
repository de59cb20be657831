"""English: the parsers of every answer type, the readers of any message, and the
phrases the interview recognises itself (see :mod:`trialbot.languages`).

The answer parsers and their vocabulary are in :mod:`trialbot.parsing` (the clinical
vocabulary in :mod:`trialbot.parsing.lexicon`); this module holds the interview's own
phrases and puts the language together. Patterns are matched against the lower-cased
message, typographic apostrophes made plain.
"""

from __future__ import annotations

import re

from trialbot.languages import Language, Phrases
from trialbot.parsing.age import parse_age
from trialbot.parsing.contact import parse_email, parse_name, parse_phone
from trialbot.parsing.duration import parse_duration
from trialbot.parsing.imaging import parse_mri, parse_spect_ct, parse_spect_intolerance
from trialbot.parsing.pain import parse_pain_location
from trialbot.parsing.pathology import parse_spinal_pathology
from trialbot.parsing.red_flags import detect_red_flags
from trialbot.parsing.therapies import parse_therapies
from trialbot.parsing.topics import topics_of
from trialbot.parsing.yes_no import parse_yes_no

# --- the interview's own phrases ---------------------------------------------------------
# Commands are whole messages (with politeness around them), so that no answer is ever
# read as one.

_POLITE = (
    r"(?:please|pls|plz|can (?:we|i|you)|could (?:we|i|you)|i (?:want|would like|wanna|need) to|"
    r"i'?d like to|let'?s|ok|okay|i want|hey|sorry|oh)"
)
_COMMANDS = {
    "stop": r"stop(?: (?:this|it|now|the questions|asking(?: me)?))?|quit|cancel|end (?:this|it|the chat)|"
    r"i'?m done|leave me alone|i (?:don'?t|do not) want to (?:continue|go on|do this)(?: any ?more)?|"
    r"unsubscribe",
    "restart": r"(?:start|begin) (?:over|again|from the (?:beginning|start))|restart|reset|"
    r"start the questions again|new screening",
    "back": r"go back(?: one(?: question)?| a question)?|back to the (?:last|previous) question|"
    r"previous question|(?:undo|change) (?:my |the )?(?:last|previous) answer|one question back",
    "help": r"help|help me|i need help|what (?:should|do) i (?:write|say|type|answer)|"
    r"how do i answer(?: this)?|i don'?t understand(?: the question)?|what do you mean",
    "human": r"(?:talk|speak|chat) (?:to|with) (?:a |an |the |some )?(?:real )?(?:person|human|someone|"
    r"doctor|nurse|study team|researcher|staff|coordinator|people)|real person|human please|"
    r"(?:a )?human|contact the study team|who can i (?:call|talk to|speak to)",
    "erase": r"(?:delete|erase|remove|wipe|forget|destroy) (?:all )?(?:of )?(?:my|me|everything|"
    r"all my|what i (?:said|told you|wrote))(?: data| details| answers| information| info)?"
    r"(?: (?:i (?:said|gave|told you)|you have(?: about me)?|you stored|please))*|forget me|"
    r"(?:remove|delete|erase) everything i (?:said|told you|wrote)|"
    r"i want my data (?:deleted|erased|removed)|gdpr (?:delete|erasure)|right to be forgotten",
    "continue": r"continue|carry on|go on|resume|keep going|let'?s continue|where were we|next",
}
_GO = re.compile(  # at the start, these mean "let's begin" (consent is still asked)
    r"\b(?:sign (?:me )?up|take part|join(?: (?:the |this |your )?(?:study|trial))?|participate|"
    r"enrol+|"
    r"register|apply|get started|let'?s (?:go|start|begin|do (?:it|this))|start|begin)\b"
)
_OWN_AGE = re.compile(
    r"^\W*(?:i'?m|im|i am|i was born|i turn(?:ed)?|my age is)\b"
    r"|\b(?:i'?m|im|i am) (?:\d{1,3}|[a-z]+ty)(?: years old)?\W*$"
)
_NOT_NOW = re.compile(
    r"\b(?:not (?:right )?now|not today|not yet|not at the moment|maybe later|another time|"
    r"some other time|(?:come back|do (?:it|this)|try) later)\b"
)
_LEADING_NO = re.compile(
    r"^\W*(?:no|nope|nah|naw|no thanks?|no thank you|not really|not now|not today|"
    r"never|i don'?t agree|i do not agree|i disagree|don'?t want to|i'?d rather not|"
    r"rather not|not interested|no way|n)\b(?!\s*(?:problem|worries)\b)"
)
_LEADING_YES = re.compile(
    r"^\W*(?:yes|yeah|yea|yep|yup|ya|ye|yes please|sure|ok|okay|okey|okie|oki|k|kk|fine|alright|"
    r"all right|"
    r"agreed|i agree|agree|i consent|go ahead|go for it|go on(?: then)?|fire away|ask away|"
    r"of course|absolutely|definitely|certainly|why not|happy to|no problem|"
    r"that'?s fine|fine by me|i'?m happy|i'?m ready|ready|let'?s go|let'?s do (?:it|this)|y)"
    # ... not followed by a turn ("ok but", "ok no"; "sure, no problem" is a yes)
    r"\b(?!\W*(?:but|not|nope|nah|no(?!\s*(?:problem|prob|worries|bother)))\b)"
)
# The words of a reply to "Is that right?" that only confirm or deny.
_CONFIRM_REPLY = re.compile(
    r"^\W*(?:(?:no|nope|nah|not really|yes|yeah|yep|sorry|oh|um|hmm)\b\W*)*"
    r"(?:(?:that'?s|that is|it'?s|it is|you'?re|you are|you got (?:it|that))\s+)?"
    r"(?:not\s+)?(?:quite\s+)?(?:right|correct|true|wrong|it|so)?\b\W*"
)
_UNSURE = re.compile(
    r"\b(?:not (?:really |quite |totally |100% )?sure|unsure|no idea|don'?t know|"
    r"do not know|dunno|can'?t (?:remember|say)|not certain)\b"
)
_CORRECTION = re.compile(
    r"\b(?:hang on|hold on|wait|sorry|oops|correction|i meant|i mean|actually|"
    r"i made a mistake|mistake|wrong|not right|i said .{0,40}? but|earlier i said|"
    r"change my answer|let me correct|to correct|update my answer|i misread)\b"
)
_CORRECTION_TURN = re.compile(
    r"\b(?:but|actually|really|in fact|instead|i meant|i mean|should be|should have said|"
    r"correct(?:ion)? is|make that)\b",
    re.IGNORECASE,
)
_FILLER = re.compile(r"^(?:\W*(?:sorry|um+|uh+|hmm+|erm|so|and|but|ok|okay|oh|well|wait)\b)+\W*")
_QUESTION_START = re.compile(
    r"^\s*(?:what|whats|what's|why|how|when|where|who|which|is|are|can|could|do|does|"
    r"will|would|should|am i|may i|explain|tell me)\b"
)
_PROGRESS = re.compile(
    r"\bhow (?:many|much) (?:more )?(?:questions?|more|longer|left|time)\b|"
    r"\bhow long (?:will|does|is) (?:this|it)\b|\bquestions? (?:are )?left\b|"
    r"\bhow many to go\b|\bnearly (?:done|finished)\b"
)
_GLOSSARY_ASK = re.compile(
    r"\b(?:what(?:'s| is| are| does| do|s)?|whats|meaning of|define|explain|"
    r"what do you mean by|never heard of|don'?t know what)\b"
)
# "what is this?", "what's that?", "what does it mean?": the word is the pending
# question's own (its first glossary term), not the study.
_DEICTIC_ASK = re.compile(
    r"^\W*(?:(?:sorry|um+|uh+|hmm+|huh|erm|so|and|but|ok|okay|oh|well|wait|sorry but)\W+)*"
    r"(?:what(?:'s|s| is| was)?|whats|what does|what do you mean(?: by)?)\s+"
    r"(?:(?:this|that|it)(?:\s+(?:is|mean|means|scan|thing|one|word))?|is (?:this|that|it))"
    r"\s*(?:\?+|$)"
)
_CONTACT_WHY = re.compile(
    r"\bwhy\b.{0,40}\b(?:need|want|ask(?:ing)?(?: for)?|have)\b.{0,30}\b(?:my |the )?"
    r"(?:phone|number|mobile|e-?mail|name|contact|details|address)\b"
)
_GREETING = re.compile(
    r"^\W*(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening|day)|greetings|howdy|yo)\b"
)
_GOODBYE = re.compile(
    r"^\W*(?:bye|goodbye|good bye|see you|see ya|cheers|ttyl|later|good night|gotta go)\W*$"
)
_THANKS = re.compile(r"^\W*(?:thanks?|thank you|thx|ty|cheers|ta)\b[\w\s]{0,20}\W*$")
_RELATIVE = re.compile(
    r"\b(?:for|on behalf of|asking for|it'?s for|answering for|helping|it'?s|this is|that'?s)"
    r"\s+(?:my\s+)?"
    r"(?P<rel>mum|mom|mother|dad|father|husband|wife|partner|son|daughter|sister|brother|"
    r"friend|grandma|grandmother|granny|grandad|grandfather|grandpa|aunt|uncle|neighbou?r|"
    r"parent|patient|spouse|relative)\b"
    r"|\bmy\s+(?P<rel2>mum|mom|mother|dad|father|husband|wife|partner|grandma|grandmother|"
    r"grandad|grandfather|grandpa)\s+(?:is|has|had|was|says|said|can'?t|cannot|does|doesn'?t|"
    r"isn'?t|who|wants|needs|would like|asked|asks)\b"
    # ... unless what follows is about the one writing ("my wife says I should do this",
    # "my mum has told me to try it"): then they answer for themselves.
    r"(?!\s+(?:(?:that|always|keeps|kept|been|has|had|is|was|told|tells|telling|made|makes|"
    r"making|wants|asked|asks|sent|suggested|said|says|thinks|thought|got|gets|getting|"
    r"forced|forcing|pushing|nagging)\s+)*(?:i|i'?m|im|i'?ve|i'?d|i'?ll|me|myself)\b)"
    # "I'm his son", "I am her daughter": the one answering names themselves
    r"|\bi(?:'m| am)\s+(?:his|her|their)\s+(?P<rel3>son|daughter|wife|husband|partner|"
    r"sister|brother|grandson|granddaughter|friend|neighbou?r|carer|caregiver|niece|nephew)\b"
    # "she is 67", "yes he's ok with it", but not in a message about the one writing
    # ("since my son was born, he's 7 now"). An empty match at the start, so that a
    # relationship named later in the message is still found.
    r"|^(?!.*\b(?:i|i'?m|im|me|myself|my)\b)"
    r"(?=.*?\b(?:(?:she|he)(?:'s| is| has| had| was)|shes|hes)\b)"
)
# "why do you need that?", "why are you asking?", "why?": why this question is asked.
_WHY_ASK = re.compile(
    r"^\W*(?:(?:sorry|um+|hmm+|ok(?:ay)?|but|and|just wondering)\W+)*(?:why|what for|how come)\b"
    r"(?:\W*$|.{0,40}\b(?:need|want|ask|asking|matter|matters|important|relevant|care|"
    r"know that|question)\b)"
    # "is that important?", "does it matter?", "do you need to know that?"
    r"|^\W*(?:(?:sorry|um+|hmm+|ok(?:ay)?|but|and|just wondering)\W+)*"
    r"(?:is (?:that|this|it) (?:important|relevant|necessary|needed)|"
    r"does (?:that|this|it) (?:matter|make a difference)|"
    r"do you (?:really )?(?:need|have) to know(?: that| this)?)\W*$"
)

# The relationship words of _RELATIVE as staff read them: what the candidate is to the
# one answering ("it's for my mum": the candidate is their mother).
_RELATIONSHIP = {
    "mum": "mother", "mom": "mother", "dad": "father", "grandma": "grandmother",
    "granny": "grandmother", "grandad": "grandfather", "grandpa": "grandfather",
    "neighbor": "neighbour", "spouse": "partner",
}  # fmt: skip

# "Whom should the study team call?": the person the questions were about, the person
# answering, or either of them.
_WHOM = (
    (
        "either",
        re.compile(r"\b(?:either|both|any ?one|doesn'?t matter|whoever)\b"),
    ),
    (
        "answerer",
        re.compile(
            r"\b(?:me|myself|i'?ll (?:take|answer|pass)|i will|my (?:own )?(?:number|phone|"
            r"details|mobile)|through me|via me)\b"
        ),
    ),
    (
        "candidate",
        re.compile(
            r"\b(?:them|him|her|directly|themselves|himself|herself|the patient|"
            r"(?:she|he) (?:can|will|would|is able|prefers)|their (?:own )?(?:number|phone)|"
            r"his (?:own )?(?:number|phone)|"
            r"mum|mom|mother|dad|father|husband|wife|partner|son|daughter|sister|brother|"
            r"friend|grandma|grandmother|granny|grandad|grandfather|grandpa|aunt|uncle)\b"
        ),
    ),
)


# "I'm his son": the one answering names themselves; the candidate is their father.
_CANDIDATE_IS = {
    ("son", "his"): "father", ("son", "her"): "mother", ("daughter", "his"): "father",
    ("daughter", "her"): "mother", ("grandson", "his"): "grandfather",
    ("grandson", "her"): "grandmother", ("granddaughter", "his"): "grandfather",
    ("granddaughter", "her"): "grandmother", ("wife", "his"): "husband",
    ("husband", "her"): "wife", ("sister", "his"): "brother", ("sister", "her"): "sister",
    ("brother", "his"): "brother", ("brother", "her"): "sister", ("niece", "his"): "uncle",
    ("niece", "her"): "aunt", ("nephew", "his"): "uncle", ("nephew", "her"): "aunt",
    ("partner", "his"): "partner", ("partner", "her"): "partner",
    ("partner", "their"): "partner", ("friend", "his"): "friend", ("friend", "her"): "friend",
    ("friend", "their"): "friend",
}  # fmt: skip


def _whole(pattern: str) -> re.Pattern[str]:
    return re.compile(
        rf"^\W*(?:{_POLITE}\W*)*(?:{pattern})\W*(?:please|pls|now|thanks|thank you)?\W*$"
    )


# --- reading answers ---------------------------------------------------------------------

# A sentence that asks something back: it ends with "?" and opens, after a few words of
# lead-in ("before I answer -", "sorry,"), with a question word.
_LEAD_IN = (
    r"(?:before i (?:answer|reply|say)|quick question|one question|sorry|um+|uh+|hmm+|ok(?:ay)?|so|"
    r"but|and|wait|first(?:ly)?|out of interest|just wondering|btw|by the way|also|oh|well|"
    r"actually|hang on|hi|hello|excuse me|can i ask|may i ask|i have a question)"
)
_ASKS_BACK = re.compile(
    r"^\W*(?:" + _LEAD_IN + r"\b\W*)*"
    r"(?:what|whats|what's|how|who|whom|why|when|where|which|does|do|is|are|can|could|will|"
    r"would|should|shall|did|has|have|am|may|must|isn't|doesn't|don't)\b"
)

# A figure taken back within the answer: "half a year. no wait, more like 9 months",
# "I'm 74. sorry, 75". What follows the last such marker counts, when it says a figure.
_TAKEN_BACK = re.compile(
    r"(?:^|(?<=[\s,.;:!\-]))(?:(?:no\s*,?\s*wait|wait\s*,?\s*no|no\s*,?\s*sorry|sorry\s*,?\s*no|"
    r"sorry|i\s+mean|i\s+meant|correction|or\s+rather|scratch\s+that|make\s+that|my\s+mistake|"
    r"oops|actually\s*,?\s*no|actually|no\s+i\s+mean)\b|no\s*,)[\s,.;:!\-]*"
)
_NUMBER_WORDS = (
    r"(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|half|"
    r"twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)\b"
)
_FIGURE = re.compile(r"\d|\b" + _NUMBER_WORDS)
# The correction opens with the new figure: "more like 9 months", "it's 75", "2018".
_NEW_FIGURE = re.compile(
    r"\W*(?:(?:more like|it's|it is|its|it was|about|around|maybe|rather|closer to|nearer|"
    r"i am|i'm|im|make it|like|only|just|really|since|for|in)\s+){0,3}"
    r"(?:\d|" + _NUMBER_WORDS + r")"
)


LANGUAGE = Language(
    code="en",
    parsers={
        "yes_no": parse_yes_no,
        "age": parse_age,
        "duration": parse_duration,
        "pain_location": parse_pain_location,
        "therapies": parse_therapies,
        "mri": parse_mri,
        "spect_ct": parse_spect_ct,
        "spinal_pathology": parse_spinal_pathology,
        "spect_intolerance": parse_spect_intolerance,
        "name": parse_name,
        "phone": parse_phone,
        "email": parse_email,
    },
    red_flags=detect_red_flags,
    facts_of=topics_of,
    asks_back=_ASKS_BACK,
    taken_back=_TAKEN_BACK,
    figure=_FIGURE,
    new_figure=_NEW_FIGURE,
    phrases=Phrases(
        commands={name: _whole(pattern) for name, pattern in _COMMANDS.items()},
        go=_GO,
        leading_no=_LEADING_NO,
        not_now=_NOT_NOW,
        leading_yes=_LEADING_YES,
        confirm_reply=_CONFIRM_REPLY,
        unsure=_UNSURE,
        correction=_CORRECTION,
        correction_turn=_CORRECTION_TURN,
        filler=_FILLER,
        question_start=_QUESTION_START,
        progress=_PROGRESS,
        glossary_ask=_GLOSSARY_ASK,
        deictic_ask=_DEICTIC_ASK,
        contact_why=_CONTACT_WHY,
        why_ask=_WHY_ASK,
        greeting=_GREETING,
        goodbye=_GOODBYE,
        thanks=_THANKS,
        relative=_RELATIVE,
        relationship=_RELATIONSHIP,
        own_age=_OWN_AGE,
        candidate_is=_CANDIDATE_IS,
        whom=_WHOM,
    ),
)
