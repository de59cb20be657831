"""A trial as data: the schema of ``criteria/<trial>.yml`` and its loader.

The file holds everything trial-specific (metadata, criteria with their rules, the
questions and their wording, the FAQ, the study contact). It is validated by the
pydantic models below; ``trialbot criteria validate FILE`` reports every problem with the
field's path and, where YAML gives one, its line. ``json_schema()`` exports the schema.

Contact details are never written into the file: ``${VAR}`` and ``${VAR:-default}`` are
substituted from the environment when a trial is loaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Extra, Field, ValidationError, root_validator, validator

from trialbot import checks, languages, messages
from trialbot.answers import ANSWER_TYPES, FACTS

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
CHECKS = checks.NAMES  # the engine implements exactly these (trialbot.checks)


class _Model(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False
        # cached_property on frozen models
        keep_untouched = (cached_property,)


class AgeRange(_Model):
    min: int = Field(ge=0, le=130)
    max: int = Field(ge=0, le=130)

    @root_validator(skip_on_failure=True)
    def _ordered(cls, values: dict[str, Any]) -> dict[str, Any]:
        if values["min"] > values["max"]:
            raise ValueError("min must not be greater than max")
        return values


class Contact(_Model):
    name: str
    email: str = ""
    phone: str = ""


class Consent(_Model):
    text: str = Field(min_length=20)

    @property
    def version(self) -> str:
        """A hash of the consent text: what the store records as the agreed version."""
        return hashlib.sha256(" ".join(self.text.split()).encode()).hexdigest()[:16]


class Question(_Model):
    id: str = Field(regex=ID_PATTERN)
    phase: Literal["consent", "screening", "contact"] = "screening"
    expects: str
    text: str = Field(min_length=3)
    reask: str = Field(min_length=3)
    options: list[str] = Field(default_factory=list)
    # Buttons offered when the question is asked again after an answer that was not
    # understood (defaults to ``options``): easy answers the parser is sure to read.
    reask_options: list[str] = Field(default_factory=list)
    # A short name for the question in acknowledgements ("your age").
    topic: str = ""
    # The fact the question asks about, in the readers' terms (one of
    # trialbot.answers.FACTS): a message that states it while another question is pending
    # fills this question too, and a correction of it comes back to this question.
    fact: str | None = None

    @property
    def buttons_on_reask(self) -> list[str]:
        return list(self.reask_options or self.options)

    @validator("expects")
    def _known_type(cls, value: str) -> str:
        if value not in ANSWER_TYPES:
            raise ValueError(f"unknown answer type {value!r}; use one of {', '.join(ANSWER_TYPES)}")
        return value

    @validator("fact")
    def _known_fact(cls, value: str | None) -> str | None:
        if value is not None and value not in FACTS:
            raise ValueError(f"unknown fact {value!r}; use one of {', '.join(FACTS)}")
        return value


class Reasons(_Model):
    """Plain-language reasons; ``{value}`` is replaced by the candidate's answer."""

    pass_: str = Field(alias="pass", min_length=3)
    fail: str = Field(min_length=3)
    unknown: str = Field(min_length=3)

    class Config:
        allow_population_by_field_name = True


class Condition(_Model):
    """One test of one answer. A criterion passes when all its conditions pass."""

    question: str = Field(regex=ID_PATTERN)
    check: str
    reasons: Reasons
    # Parameters; which ones a check needs is validated below.
    min: float | None = None
    max: float | None = None
    value: str | None = None
    values: list[str] | None = None
    fail_values: list[str] | None = None
    months: float | None = None
    levels: int | None = None
    # A hedged number ("about 80", "born in 1940") fails only when it is beyond the
    # limit by more than this margin; closer to the limit it leaves the criterion unknown.
    hedge_margin: float | None = Field(default=None, ge=0)

    @validator("check")
    def _known_check(cls, value: str) -> str:
        if value not in CHECKS:
            raise ValueError(f"unknown check {value!r}; use one of {', '.join(CHECKS)}")
        return value

    @root_validator(skip_on_failure=True)
    def _parameters(cls, values: dict[str, Any]) -> dict[str, Any]:
        needs = checks.PARAMETERS[values["check"]]
        missing = [name for name in needs if values.get(name) is None]
        if missing:
            raise ValueError(f"check {values['check']!r} needs {', '.join(missing)}")
        if values.get("hedge_margin") is not None and values["check"] not in checks.HEDGEABLE:
            raise ValueError(
                f"hedge_margin applies only to the {' and '.join(checks.HEDGEABLE)} checks"
            )
        return values


class Criterion(_Model):
    id: str = Field(regex=ID_PATTERN)
    kind: Literal["inclusion", "exclusion"]
    registry_text: str = Field(min_length=3)
    verified_by: Literal["candidate", "records"]
    rule: list[Condition] = Field(min_items=1)
    # A short plain name for staff lists ("2 unknowns: MRI, SPECT/CT"); the id without it.
    name: str = Field(default="", max_length=40)

    @property
    def plain_name(self) -> str:
        return self.name or self.id.replace("_", " ")

    @property
    def questions(self) -> list[str]:
        return list(dict.fromkeys(condition.question for condition in self.rule))


class FaqEntry(_Model):
    id: str = Field(regex=ID_PATTERN)
    question: str
    answer: str = Field(min_length=10)


class GlossaryEntry(_Model):
    """A word the questions use, explained in plain language ("what is an MRI?")."""

    term: str = Field(min_length=2)
    aliases: list[str] = Field(default_factory=list)
    definition: str = Field(min_length=10)

    @property
    def names(self) -> list[str]:
        return [self.term, *self.aliases]


class Emergency(_Model):
    """Where to get urgent care, named in the red-flag warning."""

    numbers: list[str] = Field(min_items=1)
    text: str = Field(min_length=3)


class Trial(_Model):
    schema_version: Literal[1]
    id: str = Field(regex=ID_PATTERN)
    nct_id: str = Field(regex=r"^NCT\d{8}$")
    short_title: str
    title: str
    sponsor: str
    site: str
    status: str
    study_type: str
    enrollment: int = Field(gt=0)
    ages: AgeRange
    summary: str
    involvement: str
    contact: Contact
    consent: Consent
    questions: list[Question] = Field(min_items=1)
    criteria: list[Criterion] = Field(min_items=1)
    faq: list[FaqEntry] = Field(default_factory=list)
    glossary: list[GlossaryEntry] = Field(default_factory=list)
    emergency: Emergency | None = None
    language: str = Field(default="en", regex=r"^[a-z]{2}$")

    @root_validator(skip_on_failure=True)
    def _consistent(cls, values: dict[str, Any]) -> dict[str, Any]:
        questions: list[Question] = values["questions"]
        criteria: list[Criterion] = values["criteria"]
        for kind, ids in (
            ("question", [q.id for q in questions]),
            ("criterion", [c.id for c in criteria]),
            ("faq entry", [f.id for f in values["faq"]]),
        ):
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            if duplicates:
                raise ValueError(f"duplicate {kind} id(s): {', '.join(duplicates)}")
        known = {q.id: q for q in questions}
        for criterion in criteria:
            for condition in criterion.rule:
                question = known.get(condition.question)
                if question is None:
                    raise ValueError(
                        f"criterion {criterion.id!r} uses unknown question {condition.question!r}"
                    )
                if question.phase != "screening":
                    raise ValueError(
                        f"criterion {criterion.id!r} uses question {question.id!r}, "
                        f"which is in the {question.phase} phase"
                    )
        used = {c.question for criterion in criteria for c in criterion.rule}
        unused = [q.id for q in questions if q.phase == "screening" and q.id not in used]
        if unused:
            raise ValueError(f"screening question(s) used by no criterion: {', '.join(unused)}")
        if sum(q.phase == "consent" for q in questions) != 1:
            raise ValueError("exactly one question must have phase: consent")
        facts = [q.fact for q in questions if q.fact]
        twice = sorted({f for f in facts if facts.count(f) > 1})
        if twice:
            raise ValueError(f"fact(s) asked by more than one question: {', '.join(twice)}")
        return values

    @validator("language")
    def _readable_language(cls, value: str) -> str:
        if value not in languages.available():
            raise ValueError(str(languages.UnsupportedLanguage(value)))
        if not messages.catalog_path(value).exists():
            raise ValueError(f"no message catalog for {value!r}: bot/messages/{value}.yml")
        return value

    # --- lookups -----------------------------------------------------------------

    @cached_property
    def _questions_by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    def question(self, question_id: str) -> Question:
        try:
            return self._questions_by_id[question_id]
        except KeyError:
            raise UnknownQuestion(question_id, self.id) from None

    def has_question(self, question_id: str) -> bool:
        return question_id in self._questions_by_id

    @cached_property
    def _questions_by_fact(self) -> dict[str, str]:
        return {q.fact: q.id for q in self.questions if q.fact}

    def questions_about(self, facts: list[str]) -> list[str]:
        """The ids of the questions that ask about ``facts``, in the order given."""
        return [self._questions_by_fact[f] for f in facts if f in self._questions_by_fact]

    @property
    def consent_question(self) -> Question:
        return next(q for q in self.questions if q.phase == "consent")

    @property
    def screening_questions(self) -> list[Question]:
        return [q for q in self.questions if q.phase == "screening"]

    @property
    def contact_questions(self) -> list[Question]:
        return [q for q in self.questions if q.phase == "contact"]

    def criterion(self, criterion_id: str) -> Criterion:
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        raise KeyError(criterion_id)

    def faq_entry(self, faq_id: str) -> FaqEntry | None:
        return next((f for f in self.faq if f.id == faq_id), None)


class UnknownQuestion(KeyError):
    def __init__(self, question_id: str, trial_id: str) -> None:
        super().__init__(question_id)
        self.question_id = question_id
        self.trial_id = trial_id

    def __str__(self) -> str:
        return f"trial {self.trial_id!r} has no question {self.question_id!r}"


class CriteriaFileError(ValueError):
    """A criteria file that cannot be used; ``problems`` names each field (and line)."""

    def __init__(self, path: Path | str, problems: list[str]) -> None:
        self.path = str(path)
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


# --- loading ---------------------------------------------------------------------

_ENV_REFERENCE = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)(?::-([^}]*))?\}")


def _substitute_env(value: Any, environ: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return _ENV_REFERENCE.sub(
            lambda m: environ.get(m.group(1)) or (m.group(2) or ""),
            value,
        )
    if isinstance(value, dict):
        return {k: _substitute_env(v, environ) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute_env(v, environ) for v in value]
    return value


def _line_index(text: str) -> dict[tuple[str | int, ...], int]:
    """Maps each YAML path (keys and list indexes) to its 1-based line."""
    lines: dict[tuple[str | int, ...], int] = {}

    def walk(node: yaml.Node, path: tuple[str | int, ...]) -> None:
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, child in node.value:
                child_path = (*path, str(key.value))
                lines[child_path] = key.start_mark.line + 1
                walk(child, child_path)
        elif isinstance(node, yaml.SequenceNode):
            for index, child in enumerate(node.value):
                walk(child, (*path, index))

    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is not None:
        walk(root, ())
    return lines


def _describe(error: ValidationError, lines: dict[tuple[str | int, ...], int]) -> list[str]:
    problems = []
    for item in error.errors():
        loc = tuple(
            "pass" if part == "pass_" else part for part in item["loc"] if part != "__root__"
        )
        field = ".".join(str(part) for part in loc) or "(file)"
        # The line of the deepest part of the path that exists in the file.
        line = next((lines[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in lines), None)
        where = f" (line {line})" if line else ""
        problems.append(f"{field}{where}: {item['msg']}")
    return problems


def parse_trial(
    text: str, *, source: str = "<string>", environ: Mapping[str, str] | None = None
) -> Trial:
    """Parses and validates a criteria file's text; raises :class:`CriteriaFileError`."""
    try:
        data = yaml.safe_load(text)
        lines = _line_index(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise CriteriaFileError(source, [f"not valid YAML{where}: {problem}"]) from None
    if not isinstance(data, dict):
        raise CriteriaFileError(source, ["(file): expected a mapping of trial fields at the top"])
    data = _substitute_env(data, os.environ if environ is None else environ)
    try:
        return Trial.parse_obj(data)
    except ValidationError as exc:
        raise CriteriaFileError(source, _describe(exc, lines)) from None


def load_trial(path: str | Path, *, environ: Mapping[str, str] | None = None) -> Trial:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CriteriaFileError(path, [f"cannot read the file: {exc.strerror}"]) from None
    return parse_trial(text, source=str(path), environ=environ)


def validate_file(path: str | Path) -> list[str]:
    """Every problem in a criteria file, each naming its field (and line); [] when valid."""
    try:
        load_trial(path)
    except CriteriaFileError as exc:
        return exc.problems
    return []


CRITERIA_DIR = Path(
    os.environ.get("TRIALBOT_CRITERIA_DIR", Path(__file__).resolve().parent.parent / "criteria")
)


def trial_path(trial_id: str) -> Path:
    return CRITERIA_DIR / f"{trial_id}.yml"


def load_trials(directory: str | Path | None = None) -> dict[str, Trial]:
    """Every trial in a criteria directory (``*.yml``), keyed by trial id."""
    directory = Path(directory) if directory is not None else CRITERIA_DIR
    trials = {}
    for path in sorted(directory.glob("*.yml")):
        trial = load_trial(path)
        trials[trial.id] = trial
    return trials


def json_schema() -> str:
    """The JSON Schema of a criteria file (written to ``criteria/schema.json``)."""
    return json.dumps(Trial.schema(by_alias=True), indent=2, sort_keys=True) + "\n"
