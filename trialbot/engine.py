"""The eligibility engine: answers in, per-criterion verdicts and the next question out.

Pure and typed: no I/O, no Rasa. Three-valued (Kleene) logic throughout — a criterion is
``pass`` when every condition of its rule passes, ``fail`` when any fails, ``unknown``
otherwise. Reading the registry as a spine clinician would:

* radicular pain means pain radiating below the knee; buttock, groin or thigh is allowed;
* "> 6 months" is strictly more than six (exactly six fails, "over six" passes);
* conservative care counts as failed when something was tried and did not bring lasting
  relief — relief that wore off is failure; an ongoing complaint after treatment with the
  relief not described is read as failure too, since the pain is still there;
* an MRI read as normal fails; never having had one leaves the criterion unknown;
* SPECT/CT positive at one level fails, at two or more passes;
* a hedged answer ("I think so") never fails a criterion on its own: it leaves it unknown
  for the study team to check — except a hedged number that fails even when read with
  the condition's ``hedge_margin`` ("born in 1940" is 85 or 86, over 75 either way).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from trialbot import checks
from trialbot.criteria import Condition, Criterion, Trial
from trialbot.verdicts import Answer, CriterionResult, Evaluation, Outcome, Verdict

# Findings on an MRI that count as "degenerative disc disease or facet arthropathy".
DEGENERATIVE_FINDINGS = frozenset(
    {"degenerated_disc", "bulging_disc", "facet_arthropathy", "modic_changes"}
)

Check = Callable[[Condition, Any], Verdict]


def _between(condition: Condition, value: Any) -> Verdict:
    if not isinstance(value, int | float):
        return Verdict.UNKNOWN
    low = condition.min if condition.min is not None else float("-inf")
    high = condition.max if condition.max is not None else float("inf")
    return Verdict.PASS if low <= value <= high else Verdict.FAIL


def _equals(condition: Condition, value: Any) -> Verdict:
    return Verdict.PASS if value == condition.value else Verdict.FAIL


def _one_of(condition: Condition, value: Any) -> Verdict:
    if value in (condition.values or []):
        return Verdict.PASS
    if condition.fail_values is None or value in condition.fail_values:
        return Verdict.FAIL
    return Verdict.UNKNOWN  # e.g. "it goes into my leg", level not said


def _none_of(condition: Condition, value: Any) -> Verdict:
    found = value.get("conditions") if isinstance(value, dict) else value
    if not isinstance(found, list):
        return Verdict.UNKNOWN
    excluded = set(condition.values or [])
    return Verdict.FAIL if excluded.intersection(found) else Verdict.PASS


def _duration_over(condition: Condition, value: Any) -> Verdict:
    if not isinstance(value, dict) or not isinstance(value.get("months"), int | float):
        return Verdict.UNKNOWN
    months, limit = float(value["months"]), float(condition.months or 0)
    bound = value.get("bound", "exact")
    if bound == "less_than":  # "less than a year": only a fail if the bound is within the limit
        return Verdict.FAIL if months <= limit else Verdict.UNKNOWN
    if months > limit:
        return Verdict.PASS
    if bound == "more_than" and months >= limit:  # "over six months"
        return Verdict.PASS
    upper = value.get("to")
    if isinstance(upper, int | float) and upper > limit:
        return Verdict.UNKNOWN  # "six or seven months": one end passes, the other does not
    return Verdict.FAIL


def _conservative_care_failed(condition: Condition, value: Any) -> Verdict:
    if not isinstance(value, dict) or not isinstance(value.get("tried"), list):
        return Verdict.UNKNOWN
    if not value["tried"]:
        return Verdict.FAIL  # nothing tried yet: conservative care has not failed
    return Verdict.FAIL if value.get("relief") == "lasting" else Verdict.PASS


def _mri_degeneration(condition: Condition, value: Any) -> Verdict:
    if not isinstance(value, dict) or value.get("had") != "yes":
        return Verdict.UNKNOWN
    findings = set(value.get("findings") or [])
    if findings & DEGENERATIVE_FINDINGS:
        return Verdict.PASS
    if findings == {"normal"}:
        return Verdict.FAIL
    return Verdict.UNKNOWN  # no result given, or only findings the team must interpret


def _spect_levels_at_least(condition: Condition, value: Any) -> Verdict:
    if not isinstance(value, dict) or value.get("had") != "yes":
        return Verdict.UNKNOWN
    if value.get("positive") is False:
        return Verdict.FAIL
    levels = value.get("levels")
    if not isinstance(levels, int):
        return Verdict.UNKNOWN
    return Verdict.PASS if levels >= (condition.levels or 0) else Verdict.FAIL


CHECKS: dict[str, Check] = {
    "between": _between,
    "equals": _equals,
    "one_of": _one_of,
    "none_of": _none_of,
    "duration_over": _duration_over,
    "conservative_care_failed": _conservative_care_failed,
    "mri_degeneration": _mri_degeneration,
    "spect_levels_at_least": _spect_levels_at_least,
}

# The schema accepts the names in trialbot.checks: a trial must not be able to name a
# check the engine lacks, nor the engine have one no trial can use.
if set(CHECKS) != set(checks.NAMES):
    raise RuntimeError(
        "the engine's checks and the schema's (trialbot.checks.NAMES) differ: "
        f"only in the engine {sorted(set(CHECKS) - set(checks.NAMES))}, "
        f"only in the schema {sorted(set(checks.NAMES) - set(CHECKS))}"
    )


def _quote(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _condition_verdict(condition: Condition, answer: Answer | None) -> Verdict:
    if answer is None or not answer.parsed.understood or answer.parsed.value is None:
        return Verdict.UNKNOWN
    verdict = CHECKS[condition.check](condition, answer.parsed.value)
    if verdict is Verdict.FAIL and answer.parsed.hedged:
        return _hedged_failure(condition, answer.parsed.value)
    return verdict


def _hedged_failure(condition: Condition, value: Any) -> Verdict:
    """Never exclude on a guess — unless even the most generous reading fails."""
    margin = condition.hedge_margin
    if margin is None:
        return Verdict.UNKNOWN
    widened: dict[str, Any]
    if condition.check == "between":
        widened = {
            "min": None if condition.min is None else condition.min - margin,
            "max": None if condition.max is None else condition.max + margin,
        }
    else:  # duration_over: the schema allows a margin on these two checks only (HEDGEABLE)
        widened = {"months": (condition.months or 0) - margin}
    generous = CHECKS[condition.check](condition.copy(update=widened), value)
    return Verdict.FAIL if generous is Verdict.FAIL else Verdict.UNKNOWN


def _reason(condition: Condition, verdict: Verdict, answer: Answer | None) -> str:
    template = {
        Verdict.PASS: condition.reasons.pass_,
        Verdict.FAIL: condition.reasons.fail,
        Verdict.UNKNOWN: condition.reasons.unknown,
    }[verdict]
    value = answer.parsed.value if answer is not None else None
    return template.format(
        value=value if isinstance(value, int | float | str) else "",
        answer=_quote(answer.text) if answer is not None else "",
    ).strip()


def evaluate_criterion(criterion: Criterion, answers: Mapping[str, Answer]) -> CriterionResult:
    decided: list[tuple[Verdict, Condition, Answer | None]] = []
    for condition in criterion.rule:
        answer = answers.get(condition.question)
        decided.append((_condition_verdict(condition, answer), condition, answer))

    for wanted in (Verdict.FAIL, Verdict.UNKNOWN):
        deciding = [item for item in decided if item[0] is wanted]
        if deciding:
            verdict, condition, answer = deciding[0]
            evidence = tuple(a.text for v, _, a in deciding if a is not None)
            return CriterionResult(
                criterion.id, wanted, _reason(condition, verdict, answer), evidence
            )
    reasons = " ".join(_reason(c, v, a) for v, c, a in decided)
    evidence = tuple(a.text for _, _, a in decided if a is not None)
    return CriterionResult(criterion.id, Verdict.PASS, reasons, evidence)


def evaluate(trial: Trial, answers: Mapping[str, Answer]) -> Evaluation:
    """Every criterion's verdict, the outcome, and the next question to ask (if any).

    The outcome is ``declined`` when consent was refused, ``not_eligible`` as soon as any
    criterion fails, ``incomplete`` while a question that could still change a verdict
    is open, then ``likely_eligible`` when every candidate-verified criterion passes
    (records-verified ones may still be unknown) and ``possibly_eligible`` otherwise.
    """
    for question_id in answers:
        trial.question(question_id)  # raises UnknownQuestion for an id the trial lacks

    results = {c.id: evaluate_criterion(c, answers) for c in trial.criteria}
    consent = answers.get(trial.consent_question.id)
    if consent is None:
        return Evaluation(results, Outcome.INCOMPLETE, trial.consent_question.id)
    if consent.parsed.value != "yes":
        return Evaluation(results, Outcome.DECLINED, None)
    if any(r.verdict is Verdict.FAIL for r in results.values()):
        return Evaluation(results, Outcome.NOT_ELIGIBLE, None)

    following = next_question(trial, answers, results)
    if following is not None:
        return Evaluation(results, Outcome.INCOMPLETE, following)
    candidate_checked = [c for c in trial.criteria if c.verified_by == "candidate"]
    if all(results[c.id].verdict is Verdict.PASS for c in candidate_checked):
        return Evaluation(results, Outcome.LIKELY_ELIGIBLE, None)
    return Evaluation(results, Outcome.POSSIBLY_ELIGIBLE, None)


def next_question(
    trial: Trial,
    answers: Mapping[str, Answer],
    results: Mapping[str, CriterionResult] | None = None,
) -> str | None:
    """The screening question to ask next, or None when nothing is left to ask.

    Only questions that feed a still-undecided criterion are candidates. Those that
    feed a criterion the candidate can settle come before those the study team checks
    in the records (imaging), so that an exclusion shows up as early as possible; ties
    keep the order of the criteria file, which lists the quickest exclusions first.
    Returns None once any criterion has failed.
    """
    if results is None:
        results = {c.id: evaluate_criterion(c, answers) for c in trial.criteria}
    if any(r.verdict is Verdict.FAIL for r in results.values()):
        return None
    open_criteria = [c for c in trial.criteria if results[c.id].verdict is Verdict.UNKNOWN]
    ranked: list[tuple[int, int, str]] = []
    for index, question in enumerate(trial.screening_questions):
        if question.id in answers:
            continue
        feeds = [c for c in open_criteria if question.id in c.questions]
        if not feeds:
            continue
        records_only = all(c.verified_by == "records" for c in feeds)
        ranked.append((int(records_only), index, question.id))
    return min(ranked)[2] if ranked else None
