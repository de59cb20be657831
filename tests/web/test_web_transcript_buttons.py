"""The triage transcript shows a button tap as the title the candidate saw."""

from __future__ import annotations

from web_helpers import write_tracker

from trialbot import buttons
from trialbot.web.transcript import TranscriptReader


def test_the_triage_transcript_shows_taps_as_their_titles(tmp_path) -> None:
    path = tmp_path / "tracker.db"
    tap = buttons.payload("consent", "Yes, I agree")
    write_tracker(path, "alice", [("bot", "Do you agree?"), ("user", tap)])
    reader = TranscriptReader(f"sqlite:///{path}")
    assert [m.text for m in reader.messages("alice")] == ["Do you agree?", "Yes, I agree"]
    reader.dispose()
