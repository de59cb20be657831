from __future__ import annotations

from trialbot.devtools import faq_domain


def test_faq_domain_in_sync() -> None:
    """bot/domain/faq.yml holds exactly the criteria file's FAQ answers."""
    assert faq_domain.main(["--check"]) == 0, "run: python -m trialbot.devtools.faq_domain"
