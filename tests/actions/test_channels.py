"""The REST channel keeps a question in one message: text, buttons and payload."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from trialbot.channels import QuestionnaireRestInput, WholeMessageCollector
from trialbot.devtools.services import free_port

QUESTION = {
    "text": "Do you have pain in your lower back?",
    "buttons": [{"title": "Yes", "payload": "Yes"}, {"title": "No", "payload": "No"}],
    "custom": {"question_id": "low_back_pain", "expects": "yes_no", "options": ["Yes", "No"]},
}


def test_collector_keeps_text_buttons_and_custom_together() -> None:
    collector = WholeMessageCollector()
    asyncio.run(collector.send_response("c1", dict(QUESTION)))

    assert collector.messages == [{"recipient_id": "c1", **QUESTION}]


async def post_all(bot, bodies: list[dict]) -> list[tuple[int, object]]:
    """POSTs each body to the channel's webhook on a real Sanic server."""
    app = Sanic("trialbot_channel_test")
    app.blueprint(QuestionnaireRestInput().blueprint(bot), url_prefix="/webhooks/rest")
    port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert server is not None
    await server.startup()
    results = []
    try:
        async with aiohttp.ClientSession() as session:
            url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
            for body in bodies:
                async with session.post(url, json=body) as response:
                    results.append((response.status, await response.json()))
            async with session.post(url, data=b"not json") as response:
                results.append((response.status, await response.json()))
    finally:
        server.close()
        await server.wait_closed()
    return results


def test_rest_webhook_answers_with_one_message_per_utterance() -> None:
    heard = []

    async def bot(message: UserMessage) -> None:
        heard.append(message.text)
        await message.output_channel.send_response(message.sender_id, dict(QUESTION))

    (ok, body), (bad, _), (garbage, _) = asyncio.run(
        post_all(bot, [{"sender": "c1", "message": "hi"}, {"message": "no sender"}])
    )

    assert ok == 200
    assert body == [{"recipient_id": "c1", **QUESTION}]
    assert bad == 400
    assert garbage == 400
    assert heard == ["hi"]
    assert QuestionnaireRestInput.name() == "rest"


def test_the_channel_apology_is_the_catalogs_and_survives_a_broken_catalog(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from trialbot import channels, messages

    assert channels.apology() == messages.render("something_went_wrong")

    def broken(key: str, /, **values: object) -> str:
        raise messages.MessageError("cannot read the message catalog")

    monkeypatch.setattr(messages, "render", broken)
    assert channels.apology() == channels.LAST_RESORT_APOLOGY


def test_credentials_run_the_verified_channels_only_when_their_secrets_are_set() -> None:
    """bot/credentials.yml: Telegram and Twilio are trialbot's verifying subclasses, and
    the run script leaves each out until every variable it needs (its secret included)
    is set; REST, the widget's socket.io and its files are always on."""
    from rasa.core.channels.channel import InputChannel

    from trialbot.channels import VerifiedTelegramInput, VerifiedTwilioInput
    from trialbot.devtools.services import enabled_credentials
    from trialbot.devtools.train import ROOT

    source = ROOT / "bot" / "credentials.yml"
    always = {
        "trialbot.channels.QuestionnaireRestInput",
        "trialbot.channels.QuestionnaireSocketIOInput",
        "trialbot.widget.WidgetInput",
    }
    telegram = {
        "TELEGRAM_ACCESS_TOKEN": "123:abc",
        "TELEGRAM_BOT_NAME": "trial_bot",
        "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/webhooks/telegram/webhook",
    }
    twilio = {
        "TWILIO_ACCOUNT_SID": "AC1",
        "TWILIO_AUTH_TOKEN": "token",
        "TWILIO_NUMBER": "+15005550006",
    }
    assert set(enabled_credentials(source, {})) == always
    # Without their secret (or public URL), neither runs: never unverified.
    assert set(enabled_credentials(source, {**telegram, **twilio})) == always
    enabled = enabled_credentials(
        source,
        {
            **telegram,
            **twilio,
            "TELEGRAM_SECRET_TOKEN": "s" * 32,
            "TWILIO_WEBHOOK_URL": "https://bot.example.org/webhooks/twilio/webhook",
        },
    )
    assert set(enabled) == always | {
        "trialbot.channels.VerifiedTelegramInput",
        "trialbot.channels.VerifiedTwilioInput",
    }
    for name, cls in (
        ("trialbot.channels.VerifiedTelegramInput", VerifiedTelegramInput),
        ("trialbot.channels.VerifiedTwilioInput", VerifiedTwilioInput),
    ):
        assert issubclass(cls, InputChannel) and cls.name() in ("telegram", "twilio")
        assert set(enabled[name]) >= {"secret_token"} or "webhook_url" in enabled[name]


def test_an_apology_alone_is_followed_by_the_question_on_screen() -> None:
    from rasa.shared.core.events import BotUttered, UserUttered

    from trialbot.channels import apology, last_question, only_apologies

    age = {"question_id": "age", "expects": "age", "options": []}
    events = [
        BotUttered("How old are you?", {"custom": age}),
        UserUttered("52"),
        BotUttered(apology()),
    ]
    assert last_question(events) == {"text": "How old are you?", "custom": age}
    assert only_apologies([{"recipient_id": "a", "text": apology()}])
    # A reply that asks, or says anything else (the outcome), is left as it is.
    assert not only_apologies([{"text": apology()}, {"text": "How old?", "custom": age}])
    assert not only_apologies([{"text": "Thank you, the study team will call you."}])
    assert not only_apologies([])
