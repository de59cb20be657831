"""trialbot/widget.py without a server: the demo page, its config and its policy."""

from __future__ import annotations

import json
import re

import yaml

from trialbot import widget
from trialbot.devtools.train import ROOT

TRIAL = yaml.safe_load((ROOT / "criteria" / "spinus2.yml").read_text())


def _config(page: str) -> dict:
    found = re.search(
        r'<script type="application/json" id="trialbot-config">(.*?)</script>', page, re.S
    )
    assert found, "no config element"
    return dict(json.loads(found[1]))


def test_the_demo_page_tells_about_the_trial_from_its_criteria_file_and_embeds_the_widget() -> None:
    page = widget.demo_page("spinus2")
    assert f"<h1>{TRIAL['title']}</h1>" in page
    assert TRIAL["nct_id"] in page and TRIAL["site"] in page
    assert '<script src="/widget/trialbot-widget.js" defer></script>' in page
    config = _config(page)
    assert config["trial"] == "spinus2" and config["language"] == TRIAL["language"]
    assert config["privacyUrl"] == "/widget/demo#privacy" and 'id="privacy"' in page
    assert "$" not in page  # every placeholder filled
    # Nothing inline that a strict policy would block.
    assert "<style" not in page and " style=" not in page
    assert not re.search(r"\son\w+=", page), "an inline event handler"


def test_the_config_cannot_end_its_script_element() -> None:
    text = widget.embed_config({"title": "</script><script>alert(1)</script> & <!--"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["title"] == "</script><script>alert(1)</script> & <!--"


def test_the_policy_allows_only_this_origin_and_its_socket() -> None:
    policy = widget.content_security_policy("127.0.0.1:5005")
    directives = dict(d.split(" ", 1) for d in policy.split("; "))
    assert directives["connect-src"] == "'self' ws://127.0.0.1:5005 wss://127.0.0.1:5005"
    assert directives["script-src"] == directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and "unsafe" not in policy
    # A Host header that is not a host adds nothing to the policy.
    forged = widget.content_security_policy("evil.example; script-src *")
    assert "evil" not in forged and "connect-src 'self';" in forged


def test_the_widget_channel_is_mounted_at_the_server_root() -> None:
    from urllib.parse import urljoin

    channel = widget.WidgetInput.from_credentials(None)
    assert channel.name() == "widget"
    # Rasa mounts each channel at urljoin("/webhooks/", url_prefix()).
    assert urljoin("/webhooks/", channel.url_prefix()) == "/widget"
    credentials = yaml.safe_load((ROOT / "bot" / "credentials.yml").read_text())
    assert "trialbot.widget.WidgetInput" in credentials
