"""After signing in, only this site's own paths; HSTS only where the app is served over TLS."""

from __future__ import annotations

import datetime
import html
import ipaddress
import ssl
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from web_helpers import ADMIN, PASSWORD, csrf_token
from yarl import URL

from trialbot.web.app import create_app
from trialbot.web.config import WebSettings

HOME = "/handoffs"

# (what ?next= carries on the wire, percent-encoded as a browser would send it)
REFUSED = [
    "/%09/evil.example",  # the reported one: a browser drops the tab, leaving //evil.example
    "/%0a/evil.example",
    "/%0d/evil.example",
    "/%00/evil.example",
    "/%0A%0D/evil.example",
    "%09/evil.example",
    "/%20/evil.example",
    "/%5c/evil.example",  # /\evil.example
    "/%5C%5Cevil.example",
    "%5c%5cevil.example",  # \\evil.example
    "/%252F/evil.example",  # twice encoded //
    "/%2509/evil.example",
    "//evil.example",
    "//evil.example/handoffs",
    "/%2F/evil.example",
    "https://evil.example",
    "https://evil.example/handoffs",
    "HTTP://evil.example",
    "javascript:alert(document.cookie)",
    "data:text/html,hello",
    "evil.example",
    "handoffs",
    "",
]
ACCEPTED = [
    ("/funnel", "/funnel"),
    ("/handoffs%3Fstatus%3Dnew%26trial%3Dspinus2", "/handoffs?status=new&trial=spinus2"),
    ("/audit", "/audit"),
]


async def sign_in_via(client: TestClient, query: str):
    """Open ``/login?next=...`` as the browser would, then submit the form it shows."""
    form = await client.get(URL(f"/login?next={query}", encoded=True))
    assert form.status == 200
    page = await form.text()
    hidden = html.unescape(page.split('name="next" value="', 1)[1].split('"', 1)[0])
    response = await client.post(
        "/login",
        data={"email": ADMIN, "password": PASSWORD, "csrf_token": csrf_token(page), "next": hidden},
        allow_redirects=False,
    )
    assert response.status == 303
    return response


@pytest.mark.parametrize("query", REFUSED)
async def test_sign_in_never_leaves_the_site(client: TestClient, query: str):
    response = await sign_in_via(client, query)
    assert response.headers["Location"] == HOME


@pytest.mark.parametrize(
    "posted",
    [
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r\n/evil.example",
        "/\x00/evil.example",
        "\\\\evil.example",
        "/\\evil.example",
        "/ /evil.example",
        "/\u2028/evil.example",
        "//evil.example",
        "https://evil.example",
        "javascript:alert(1)",
    ],
)
async def test_a_posted_next_with_raw_characters_is_refused_too(client: TestClient, posted: str):
    form = await client.get("/login")
    response = await client.post(
        "/login",
        data={
            "email": ADMIN,
            "password": PASSWORD,
            "csrf_token": csrf_token(await form.text()),
            "next": posted,
        },
        allow_redirects=False,
    )
    assert response.status == 303
    assert response.headers["Location"] == HOME


@pytest.mark.parametrize(("query", "expected"), ACCEPTED)
async def test_the_apps_own_paths_are_kept(client: TestClient, query: str, expected: str):
    response = await sign_in_via(client, query)
    assert response.headers["Location"] == expected
    assert (await client.get(response.headers["Location"])).status == 200


async def test_a_signed_out_visit_comes_back_to_the_same_page(client: TestClient):
    bounced = await client.get("/handoffs?status=new", allow_redirects=False)
    assert bounced.status == 303
    login_url = URL(bounced.headers["Location"])
    response = await sign_in_via(client, login_url.raw_query_string.split("next=", 1)[1])
    assert response.headers["Location"] == "/handoffs?status=new"


# -- HSTS ---------------------------------------------------------------------------------


def tls_context(directory: Path) -> ssl.SSLContext:
    """A server context with a fresh self-signed certificate for 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context


async def test_no_hsts_over_plain_local_http(client: TestClient):
    for path in ("/login", "/handoffs", "/no/such/page"):
        response = await client.get(path, allow_redirects=False)
        assert "Strict-Transport-Security" not in response.headers, path


async def test_hsts_over_tls_on_pages_redirects_and_errors(
    aiohttp_client, settings: WebSettings, staff: None, tmp_path: Path
):
    app = create_app(replace(settings, secure_cookies=True), notify_worker=False)
    server = TestServer(app)
    await server.start_server(ssl=tls_context(tmp_path))  # the client then reuses it
    client = await aiohttp_client(server)
    assert str(client.make_url("/")).startswith("https://")
    for path, status in [("/login", 200), ("/handoffs", 303), ("/no/such/page", 404)]:
        response = await client.get(path, ssl=False, allow_redirects=False)
        assert response.status == status, path
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000", path


@pytest.mark.parametrize(
    ("hsts", "trust_proxy", "headers", "expected"),
    [
        ("auto", True, {"X-Forwarded-Proto": "https"}, "max-age=600"),
        ("auto", True, {"X-Forwarded-Proto": "http"}, None),
        ("auto", True, {}, None),
        ("auto", False, {"X-Forwarded-Proto": "https"}, None),  # anyone can send that
        ("always", False, {}, "max-age=600"),
        ("off", True, {"X-Forwarded-Proto": "https"}, None),
    ],
)
async def test_hsts_behind_a_proxy_and_its_settings(
    aiohttp_client, settings: WebSettings, staff: None, hsts, trust_proxy, headers, expected
):
    configured = replace(settings, hsts=hsts, hsts_max_age=600, trust_proxy=trust_proxy)
    client = await aiohttp_client(create_app(configured, notify_worker=False))
    response = await client.get("/login", headers=headers)
    assert response.headers.get("Strict-Transport-Security") == expected


def test_hsts_settings_come_from_the_environment():
    base = {"TRIALBOT_DATABASE_URL": "sqlite:///x.db"}
    default = WebSettings.from_env(base)
    assert (default.hsts, default.hsts_max_age, default.trust_proxy) == ("auto", 31536000, False)
    configured = WebSettings.from_env(
        {
            **base,
            "TRIALBOT_WEB_HSTS": "Always",
            "TRIALBOT_WEB_HSTS_MAX_AGE": "86400",
            "TRIALBOT_WEB_TRUST_PROXY": "1",
        }
    )
    assert (configured.hsts, configured.hsts_max_age, configured.trust_proxy) == (
        "always",
        86400,
        True,
    )
    with pytest.raises(ValueError, match="TRIALBOT_WEB_HSTS"):
        WebSettings.from_env({**base, "TRIALBOT_WEB_HSTS": "yes please"})
