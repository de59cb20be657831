"""The message catalog (bot/messages.yml, trialbot.messages) and the actions that use it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from trialbot import messages
from trialbot.devtools.train import ROOT

ACTIONS = ROOT / "actions"


def render_calls() -> list[tuple[str, int, str, set[str]]]:
    """Every ``messages.render("key", name=...)`` in actions/: file, line, key, names."""
    calls = []
    for path in sorted(ACTIONS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "render"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "messages"
            ):
                continue
            where = f"{path.name}:{node.lineno}"
            assert len(node.args) == 1 and isinstance(node.args[0], ast.Constant), (
                f"{where}: the key must be a literal, so that it can be checked"
            )
            names = {k.arg for k in node.keywords}
            assert None not in names, f"{where}: values must be named, not **unpacked"
            calls.append((path.name, node.lineno, str(node.args[0].value), names))
    return calls


def test_every_key_the_actions_use_exists_and_every_message_is_used() -> None:
    calls = render_calls()
    used = {key for _, _, key, _ in calls}
    catalog = set(messages.catalog())

    assert calls, "no messages.render call found in actions/"
    assert used - catalog == set(), "keys the actions use but bot/messages.yml lacks"
    assert catalog - used == set(), "messages in bot/messages.yml that no action sends"


def test_every_call_gives_exactly_the_placeholders_of_its_message() -> None:
    for file, line, key, names in render_calls():
        placeholders = messages.get(key).placeholders
        assert names == placeholders, f"{file}:{line}: {key} takes {sorted(placeholders)}"


def test_the_actions_send_no_domain_response_by_name() -> None:
    """What actions say comes from the catalog; domain responses are for the rules."""
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
    with pytest.raises(messages.MessageError, match="no message 'outcome_maybe'.*messages.yml"):
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
        "import actions.corrections, actions.faq, actions.safety, actions.screening, "
        "actions.session\n"
        "from actions import runtime\n"
        "from trialbot import messages\n"
        "assert messages.catalog.cache_info().currsize == 0, 'catalog read at import'\n"
        "assert runtime._trial.cache_info().currsize == 0, 'trial read at import'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
