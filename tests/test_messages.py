"""The message catalogs (bot/messages/<lang>.yml, trialbot.messages) and the code that uses them."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from trialbot import messages
from trialbot.devtools.train import ROOT

ACTIONS = ROOT / "actions"
# Where texts are rendered: the interview, the actions, the channels.
SPEAKERS = [
    ROOT / "trialbot" / "interview.py",
    ROOT / "trialbot" / "channels.py",
    ROOT / "trialbot" / "rasa_speedups.py",
    *ACTIONS.glob("*.py"),
]
# Calls whose first argument is a catalog key.
RENDERING = {"render", "say", "_text"}


def render_calls() -> tuple[list[tuple[str, int, str, set[str]]], set[str]]:
    """Every literal ``render("key", name=...)`` / ``say("key", ...)``: file, line, key,
    names; and the prefixes of keys built at run time (``render(f"understood_{x}")``)."""
    calls, prefixes = [], set()
    for path in sorted(SPEAKERS):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name not in RENDERING:
                continue
            key = node.args[0]
            where = f"{path.name}:{node.lineno}"
            if isinstance(key, ast.JoinedStr):
                head = key.values[0]
                assert isinstance(head, ast.Constant), f"{where}: a key must start with a literal"
                prefixes.add(str(head.value))
                continue
            if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
                continue  # render(key, ...) inside a helper: its callers are checked
            names = {k.arg for k in node.keywords} - {"lang"}
            assert None not in names, f"{where}: values must be named, not **unpacked"
            calls.append((path.name, node.lineno, key.value, names))
    return calls, prefixes


def test_every_key_used_exists_and_every_message_is_used() -> None:
    calls, prefixes = render_calls()
    used = {key for _, _, key, _ in calls}
    catalog = set(messages.catalog())

    assert calls, "no render call found"
    assert used - catalog == set(), "keys the code uses but bot/messages/en.yml lacks"
    unused = {k for k in catalog - used if not any(k.startswith(p) for p in prefixes)}
    assert unused == set(), "messages in bot/messages/en.yml that nothing sends"


def test_every_call_gives_exactly_the_placeholders_of_its_message() -> None:
    calls, _ = render_calls()
    for file, line, key, names in calls:
        placeholders = messages.get(key).placeholders
        assert names == placeholders, f"{file}:{line}: {key} takes {sorted(placeholders)}"


def test_every_language_has_the_same_messages_and_placeholders() -> None:
    english = messages.catalog("en")
    for path in sorted(messages.CATALOGS.glob("*.yml")):
        other = messages.load(path)
        assert set(other) == set(english), f"{path.name} has other keys than en.yml"
        for key, message in other.items():
            assert message.placeholders == english[key].placeholders, f"{path.name}: {key}"


def test_the_actions_send_no_domain_response_by_name() -> None:
    """What actions say comes from the catalog (or the ResponseSelector's own pick)."""
    for path in sorted(ACTIONS.glob("*.py")):
        assert "response=" not in path.read_text(), path.name


def test_no_message_is_also_a_domain_response() -> None:
    domain_responses: set[str] = set()
    for path in (ROOT / "bot" / "domain").glob("*.yml"):
        domain_responses |= set((yaml.safe_load(path.read_text()) or {}).get("responses") or {})
    assert {f"utter_{key}" for key in messages.catalog()} & domain_responses == set()


def test_render_fills_the_placeholders() -> None:
    text = messages.render("outcome_not_eligible", reason="You said you are 80.")

    assert "not a good fit for you. You said you are 80. This is only about" in text
    assert "{" not in text


def test_an_unknown_key_is_a_clear_error() -> None:
    with pytest.raises(messages.MessageError, match="no message 'outcome_maybe'.*en.yml"):
        messages.render("outcome_maybe")


def test_a_missing_or_unexpected_value_is_a_clear_error() -> None:
    with pytest.raises(
        messages.MessageError, match=r"message 'outcome_not_eligible': missing reason"
    ):
        messages.render("outcome_not_eligible")
    with pytest.raises(
        messages.MessageError, match=r"message 'stopped': unexpected reason \(it takes no values\)"
    ):
        messages.render("stopped", reason="x")
    with pytest.raises(
        messages.MessageError,
        match=r"'study_intro': missing summary; unexpected title \(it takes short_title, summary\)",
    ):
        messages.render("study_intro", short_title="SPINUS II", title="x")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Hello {0}", r"message 'hello': placeholder \{0\} must be a plain name"),
        ("Hello {name.first}", r"placeholder \{name.first\} must be a plain name"),
        ("Hello {name!r}", r"placeholder \{name\} must be a plain name"),
        ("Hello {name", r"message 'hello': .*"),
        ("", r"message 'hello' must be a non-empty text"),
        (["a", "list"], r"message 'hello' must be a non-empty text"),
    ],
)
def test_a_malformed_catalog_names_the_message(tmp_path: Path, text: object, problem: str) -> None:
    catalog = tmp_path / "messages.yml"
    catalog.write_text(yaml.safe_dump({"fine": "Hello {name}", "hello": text}))

    with pytest.raises(messages.MessageError, match=problem):
        messages.load(catalog)


def test_a_missing_catalog_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(messages.MessageError, match="cannot read the message catalog"):
        messages.load(tmp_path / "missing.yml")


def test_importing_the_actions_reads_nothing() -> None:
    """The catalog (and the trial) are read on first use, never at import."""
    probe = (
        "import actions.interview, trialbot.interview\n"
        "from actions import runtime\n"
        "from trialbot import messages\n"
        "assert messages.catalog.cache_info().currsize == 0, 'catalog read at import'\n"
        "assert runtime._trial.cache_info().currsize == 0, 'trial read at import'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]


# -- plural forms ------------------------------------------------------------------------


def test_a_count_picks_its_plural_form() -> None:
    assert messages.render("span_months", n=1) == "1 month"
    assert messages.render("span_months", n=5) == "5 months"
    assert messages.render("span_weeks", n=1) == "1 week"
    assert "1 more question about" in messages.render("progress", n=1)
    assert "3 more questions about" in messages.render("progress", n=3)


@pytest.mark.parametrize(
    ("lang", "n", "category"),
    [
        ("en", 1, "one"),
        ("en", 0, "other"),
        ("en", 2, "other"),
        ("en", "1.5", "other"),
        ("cs", 1, "one"),
        ("cs", 3, "few"),
        ("cs", 5, "other"),
        ("cs", "1.5", "many"),
        ("en", "several", "other"),
    ],
)
def test_plural_categories_follow_each_language(lang: str, n: object, category: str) -> None:
    assert messages.plural_category(lang, n) == category


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ('span: {one: "{n} month"}', "'other' required"),
        ('span: {one: "{n} month", lots: "{n} months", other: "{n} months"}', "plural forms are"),
        ('span: {one: "a month", other: "{n} months"}', "the same placeholders"),
        ('span: {one: "{count} month", other: "{count} months"}', "{n} among them"),
    ],
)
def test_a_malformed_plural_message_is_refused(tmp_path: Path, entry: str, problem: str) -> None:
    catalog = tmp_path / "en.yml"
    catalog.write_text(entry + "\n")
    with pytest.raises(messages.MessageError, match=re.escape(problem)):
        messages.load(catalog)
