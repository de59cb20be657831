"""Encryption at rest: authenticated encryption of what candidates typed, with key ids.

Values are sealed with AES-256-GCM (``cryptography``'s ``AESGCM``): a random 96-bit
nonce per value and a *context* as associated data (``"contact_details.phone"``), so a
ciphertext moved to another column, or changed by one byte, fails to open with
:class:`DecryptionError` instead of giving garbage. A sealed value is ASCII text::

    enc:v1:<key id>:<base64url(nonce || ciphertext || tag)>

**Keys.** ``TRIALBOT_DATA_KEY`` holds one or more keys, the primary (the one new values
are sealed with) first, separated by commas or whitespace::

    TRIALBOT_DATA_KEY="k2026b:<base64 of 32 random bytes>,k2026a:<base64 of 32 bytes>"

Each entry is ``ID:KEY`` (an id of letters, digits, ``-`` and ``_``, at most 32; the key
standard or URL-safe base64 of exactly 32 bytes); a bare ``KEY`` gets the id ``k`` + the
first 8 hex digits of its SHA-256. ``trialbot keys generate`` prints a new entry.
Without the variable, the development key file ``var/data.key`` under the working
directory (or ``TRIALBOT_DATA_KEY_FILE``) is used, one entry a line, primary first; it is
created with mode 0600 (its directory 0700) when missing, so that ``make run`` and the
tests work from a fresh clone. Production sets the variable.

**Rotation.** ``trialbot keys rotate`` re-seals every encrypted value under the primary
key; with the key file it first makes a new primary key and keeps the old one until no
value needs it any more. With the variable, put the new key first, run ``rotate``, then
drop the old entry. Processes using the key file notice a changed file within a second.

**Lookups.** Sealed values cannot be compared in SQL. :func:`keyed_hash` gives an
HMAC-SHA256 (keyed with a key derived from the primary key and the purpose) for exact
matches; :func:`keyed_hashes` gives it under every key, for lookups that span a rotation.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_VARIABLE = "TRIALBOT_DATA_KEY"
KEY_FILE_VARIABLE = "TRIALBOT_DATA_KEY_FILE"
DEFAULT_KEY_FILE = Path("var") / "data.key"
PREFIX = "enc:v1:"
KEY_BYTES = 32
NONCE_BYTES = 12
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_RELOAD_SECONDS = 1.0


class CryptoError(Exception):
    """Base of the errors of this module; messages never contain a key or a value."""


class KeyConfigError(CryptoError):
    """The key configuration cannot be used (malformed variable or file)."""


class DecryptionError(CryptoError):
    """A sealed value did not open: changed, moved to another column, or an unknown key."""


@dataclass(frozen=True)
class Key:
    id: str
    secret: bytes

    @property
    def cipher(self) -> AESGCM:
        return AESGCM(self.secret)


@dataclass(frozen=True)
class Keyring:
    keys: tuple[Key, ...]  # the primary first
    source: str  # "TRIALBOT_DATA_KEY" or the key file's path

    def __post_init__(self) -> None:
        if not self.keys:
            raise KeyConfigError("no data key configured")
        ids = [k.id for k in self.keys]
        if len(set(ids)) != len(ids):
            raise KeyConfigError(f"{self.source}: key ids must be unique, got {ids}")

    @property
    def primary(self) -> Key:
        return self.keys[0]

    def key(self, key_id: str) -> Key:
        for key in self.keys:
            if key.id == key_id:
                return key
        raise DecryptionError(
            f"a value is sealed with key {key_id!r}, which {self.source} does not hold"
        )


# -- keys ---------------------------------------------------------------------------------


def new_key(key_id: str | None = None) -> Key:
    """A fresh random key; its id is ``k`` + the date + 4 random hex digits by default."""
    return Key(key_id or f"k{time.strftime('%Y%m%d')}{secrets.token_hex(2)}", os.urandom(32))


def format_key(key: Key) -> str:
    """``ID:BASE64``, the form the variable and the key file hold."""
    return f"{key.id}:{base64.urlsafe_b64encode(key.secret).decode()}"


def parse_keys(text: str, source: str) -> tuple[Key, ...]:
    """Keys from the variable's or the file's text (entries separated by commas, spaces or
    lines; ``#`` starts a comment in a file)."""
    entries = []
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        entries += [e for e in re.split(r"[\s,]+", line) if e]
    keys = []
    for number, entry in enumerate(entries, start=1):
        key_id, _, encoded = entry.rpartition(":")
        raw = _decode_key(encoded, source, number)
        if not key_id:
            key_id = "k" + hashlib.sha256(raw).hexdigest()[:8]
        if not _KEY_ID.match(key_id):
            raise KeyConfigError(
                f"{source}: key {number} has an invalid id (use letters, digits, - and _)"
            )
        keys.append(Key(key_id, raw))
    return tuple(keys)


def _decode_key(encoded: str, source: str, number: int) -> bytes:
    padded = encoded + "=" * (-len(encoded) % 4)
    try:
        raw = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raise KeyConfigError(f"{source}: key {number} is not base64") from None
    if len(raw) != KEY_BYTES:
        raise KeyConfigError(
            f"{source}: key {number} has {len(raw)} bytes, a key needs {KEY_BYTES} "
            "(run `trialbot keys generate`)"
        )
    return raw


def key_file_path(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> Path:
    env = os.environ if environ is None else environ
    configured = (env.get(KEY_FILE_VARIABLE) or "").strip()
    if configured:
        return Path(configured).expanduser().resolve()
    return (cwd or Path.cwd()).resolve() / DEFAULT_KEY_FILE


def write_key_file(path: Path, keys: Iterable[Key], *, exclusive: bool = False) -> bool:
    """Write the keys (primary first) to ``path`` atomically, mode 0600, its directory
    0700 when made here. ``exclusive``: only if no file is there (``False`` if one was)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    body = "# trialbot data keys (development); primary first. Never commit this file.\n" + "".join(
        format_key(k) + "\n" for k in keys
    )
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(body)
            file.flush()
            os.fsync(file.fileno())
        if exclusive:
            try:
                os.link(temporary, path)  # atomic, and fails when another process won
            except FileExistsError:
                return False
        else:
            os.replace(temporary, path)
        return True
    finally:
        temporary.unlink(missing_ok=True)


def load_keyring(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> Keyring:
    """The keys of ``TRIALBOT_DATA_KEY``, else of the key file (created when missing)."""
    env = os.environ if environ is None else environ
    configured = (env.get(KEY_VARIABLE) or "").strip()
    if configured:
        return Keyring(parse_keys(configured, KEY_VARIABLE), KEY_VARIABLE)
    path = key_file_path(env, cwd)
    if not path.exists():
        write_key_file(path, [new_key()], exclusive=True)
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as error:
        raise KeyConfigError(f"cannot read the data key file {path}: {error}") from None
    return Keyring(parse_keys(text, str(path)), str(path))


class _Current:
    """The process's keyring, loaded once; a key file is re-read when it changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ring: Keyring | None = None
        self._file_stamp: tuple[float, int] | None = None
        self._checked = 0.0

    def get(self) -> Keyring:
        ring = self._ring
        if ring is not None and (
            ring.source == KEY_VARIABLE or time.monotonic() - self._checked < _RELOAD_SECONDS
        ):
            return ring
        with self._lock:
            if self._ring is None or self._file_changed():
                self._ring = load_keyring()
                self._file_stamp = self._stamp(self._ring)
            self._checked = time.monotonic()
            return self._ring

    def _file_changed(self) -> bool:
        assert self._ring is not None
        if self._ring.source == KEY_VARIABLE:
            return False
        return self._stamp(self._ring) != self._file_stamp

    @staticmethod
    def _stamp(ring: Keyring) -> tuple[float, int] | None:
        if ring.source == KEY_VARIABLE:
            return None
        try:
            status = os.stat(ring.source)
        except OSError:
            return None
        return (status.st_mtime, status.st_ino)

    def reset(self) -> None:
        with self._lock:
            self._ring = None
            self._file_stamp = None
            self._checked = 0.0


_CURRENT = _Current()


def keyring() -> Keyring:
    return _CURRENT.get()


def reset() -> None:
    """Forget the loaded keys (tests, and ``keys rotate`` after writing the file)."""
    _CURRENT.reset()


# -- sealing ------------------------------------------------------------------------------


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def key_id_of(token: str) -> str:
    if not is_sealed(token):
        raise DecryptionError("not a sealed value")
    return token[len(PREFIX) :].split(":", 1)[0]


def encrypt(plaintext: str, context: str, ring: Keyring | None = None) -> str:
    """``plaintext`` sealed under the primary key, bound to ``context``."""
    key = (ring or keyring()).primary
    nonce = os.urandom(NONCE_BYTES)
    sealed = key.cipher.encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
    return f"{PREFIX}{key.id}:{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"


def decrypt(token: str, context: str, ring: Keyring | None = None) -> str:
    """The plaintext of a sealed value; :class:`DecryptionError` if it does not open."""
    if not is_sealed(token):
        raise DecryptionError(f"a value in {context} is not sealed (expected {PREFIX}...)")
    key_id, _, encoded = token[len(PREFIX) :].partition(":")
    key = (ring or keyring()).key(key_id)
    try:
        raw = base64.urlsafe_b64decode(encoded.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise DecryptionError(f"a sealed value in {context} is malformed") from None
    if len(raw) < NONCE_BYTES + 16:
        raise DecryptionError(f"a sealed value in {context} is truncated")
    try:
        plain = key.cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode("utf-8"))
    except InvalidTag:
        raise DecryptionError(
            f"a sealed value in {context} failed authentication: it was changed, "
            f"moved from another column, or key {key_id!r} is not the key it was sealed with"
        ) from None
    return plain.decode("utf-8")


def reseal(token: str, context: str, ring: Keyring | None = None) -> str | None:
    """The value sealed under the primary key, or ``None`` when it already is."""
    ring = ring or keyring()
    if is_sealed(token) and key_id_of(token) == ring.primary.id:
        return None
    plain = decrypt(token, context, ring) if is_sealed(token) else token
    return encrypt(plain, context, ring)


# -- keyed hashes for exact-match lookups -------------------------------------------------


def _hash_key(key: Key, purpose: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"trialbot keyed hash",
        info=purpose.encode("utf-8"),
    ).derive(key.secret)


def keyed_hash(value: str, purpose: str, ring: Keyring | None = None) -> str:
    """HMAC-SHA256 of ``value`` (64 hex digits) under the primary key, for ``purpose``."""
    key = _hash_key((ring or keyring()).primary, purpose)
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def keyed_hashes(value: str, purpose: str, ring: Keyring | None = None) -> list[str]:
    """The keyed hash under every key (primary first): ``column.in_(...)`` across a
    rotation."""
    ring = ring or keyring()
    return [
        hmac.new(_hash_key(k, purpose), value.encode("utf-8"), hashlib.sha256).hexdigest()
        for k in ring.keys
    ]
