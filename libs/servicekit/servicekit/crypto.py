"""Encryption at rest, keyed lookups and sealed files (rule C11), on ``cryptography``.

- ``KeyRing``: Fernet keys newest first (``MultiFernet``): values are encrypted with the
  newest key and read with any of them, so keys rotate without downtime: put a new key
  first, re-encrypt (``KeyRing.rotate`` on every value), then drop the old one.
- ``BlindIndex``: a keyed hash (HMAC-SHA256, a key of its own) of a normalised value,
  stored beside the ciphertext, so a lookup by phone or tax number compares hashes
  instead of decrypting every row.
- ``Encrypted`` / ``EncryptedJSON``: column types that encrypt on the way in and decrypt
  on the way out, so the mapped domain classes see clear values and stay pure.
- ``load_keys(owner)``: ``<OWNER>_DATA_KEYS`` (comma-separated, newest first) and
  ``<OWNER>_INDEX_KEY`` from the environment, else files generated once under
  ``$AFTERSALES_DATA_DIR`` (``<owner>-data-keys``, one key a line, newest first, and
  ``<owner>-index-key``; mode 0600), like the gateway's ``jwt-secret``.
- ``seal_file`` / ``open_sealed``: a file encrypted under a passphrase (scrypt, then
  AES-256-GCM in authenticated chunks), for backups.

Without its data keys an encrypted database is unreadable: keep the keys (or the key
files) apart from the database and its backups.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

from servicekit.config import data_dir
from servicekit.secret_files import read_or_create

__all__ = [
    "BlindIndex",
    "Encrypted",
    "EncryptedJSON",
    "InvalidToken",
    "KeyConfigError",
    "KeyRing",
    "KeySource",
    "Keys",
    "SealError",
    "fingerprint",
    "is_sealed",
    "key_files",
    "load_keys",
    "new_data_key",
    "new_index_key",
    "open_sealed",
    "seal_file",
]


class KeyConfigError(RuntimeError):
    """The keys are missing or malformed; the message says what to set."""


def new_data_key() -> str:
    return Fernet.generate_key().decode("ascii")


def new_index_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


def fingerprint(key: str) -> str:
    """A short name for a key that tells nothing about it (its SHA-256, 12 hex digits):
    what a backup's manifest and the rotation command print."""
    return hashlib.sha256(key.strip().encode("ascii")).hexdigest()[:12]


class KeyRing:
    """Fernet keys, newest first: encrypt with the newest, decrypt with any."""

    def __init__(self, keys: Sequence[str]) -> None:
        keys = [k.strip() for k in keys if k and k.strip()]
        if not keys:
            raise KeyConfigError("no data key given")
        try:
            self._fernet = MultiFernet([Fernet(k.encode("ascii")) for k in keys])
        except (ValueError, UnicodeEncodeError) as exc:
            raise KeyConfigError(
                "a data key is not a Fernet key (32 url-safe base64-encoded bytes)"
            ) from exc
        self.keys = tuple(keys)

    def encrypt(self, text: str) -> str:
        return self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """The clear text; ``InvalidToken`` when no key of the ring opens it."""
        return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")

    def rotate(self, token: str) -> str:
        """The same value encrypted with the newest key."""
        return self._fernet.rotate(token.encode("ascii")).decode("ascii")

    def encrypt_bytes(self, data: bytes) -> bytes:
        """Raw bytes (a message body as it arrived) as a Fernet token (ASCII bytes)."""
        return self._fernet.encrypt(bytes(data))

    def decrypt_bytes(self, token: bytes) -> bytes:
        """The raw bytes ``encrypt_bytes`` sealed; ``InvalidToken`` when no key opens it."""
        return self._fernet.decrypt(bytes(token))

    def fingerprints(self) -> list[str]:
        return [fingerprint(k) for k in self.keys]


class BlindIndex:
    """HMAC-SHA256 of ``kind`` and a normalised value: equal values give equal digests,
    and without the key a digest cannot be checked against guesses."""

    def __init__(self, key: str) -> None:
        key = (key or "").strip()
        if len(key) < 32:
            raise KeyConfigError("the index key must have at least 32 characters")
        self._key = key.encode("utf-8")
        self.key = key

    def digest(self, kind: str, normalised: str) -> str:
        message = kind.encode("utf-8") + b"\x00" + normalised.encode("utf-8")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Keys:
    """One owner's keys and where they came from (``environment`` or a file path)."""

    data: KeyRing
    index: BlindIndex
    source: str


def _data_keys_file(owner: str, env: Mapping[str, str] | None) -> Path:
    return data_dir(env) / f"{owner}-data-keys"


def _index_key_file(owner: str, env: Mapping[str, str] | None) -> Path:
    return data_dir(env) / f"{owner}-index-key"


def key_files(owner: str, env: Mapping[str, str] | None = None) -> tuple[Path, Path]:
    """Where ``load_keys`` keeps generated keys: (data keys, index key)."""
    return _data_keys_file(owner, env), _index_key_file(owner, env)


def load_keys(owner: str, env: Mapping[str, str] | None = None, generate: bool = True) -> Keys:
    """``<OWNER>_DATA_KEYS`` and ``<OWNER>_INDEX_KEY`` when set (both), else the key
    files under the data dir, generated at first use (``generate=False``: KeyConfigError
    when there are none, for tools that must not make keys up)."""
    from servicekit.config import _env

    env = _env(env)
    prefix = owner.upper()
    given_data = env.get(f"{prefix}_DATA_KEYS", "").strip()
    given_index = env.get(f"{prefix}_INDEX_KEY", "").strip()
    if given_data or given_index:
        if not (given_data and given_index):
            raise KeyConfigError(
                f"set both {prefix}_DATA_KEYS and {prefix}_INDEX_KEY, or neither (then "
                f"they are generated under {data_dir(env)})"
            )
        return Keys(KeyRing(given_data.split(",")), BlindIndex(given_index), "environment")
    data_file, index_file = key_files(owner, env)
    if not generate and not (data_file.exists() and index_file.exists()):
        raise KeyConfigError(
            f"no {prefix}_DATA_KEYS/{prefix}_INDEX_KEY and no key files "
            f"{data_file.name}, {index_file.name} under {data_dir(env)}"
        )
    data = read_or_create(data_file, make=new_data_key)
    index = read_or_create(index_file, make=new_index_key)
    return Keys(KeyRing(data.splitlines()), BlindIndex(index), str(data_file))


class KeySource:
    """An owner's keys, loaded on first use (``load_keys``) and kept; ``use(keys)``
    puts others in place (tests, the rotation command), ``use(None)`` reloads."""

    def __init__(self, owner: str, env: Mapping[str, str] | None = None) -> None:
        self.owner = owner
        self.env = env
        self._keys: Keys | None = None
        self._lock = threading.Lock()

    def get(self) -> Keys:
        keys = self._keys
        if keys is None:
            with self._lock:
                if self._keys is None:
                    self._keys = load_keys(self.owner, self.env)
                keys = self._keys
        return keys

    def use(self, keys: Keys | None) -> None:
        with self._lock:
            self._keys = keys

    def data(self) -> KeyRing:
        return self.get().data

    def index(self) -> BlindIndex:
        return self.get().index


class Encrypted(TypeDecorator):
    """A text column stored as a Fernet token of its value (``keys()`` gives the ring)."""

    impl = Text
    cache_ok = True

    def __init__(self, keys: Callable[[], KeyRing]) -> None:
        super().__init__()
        self.keys = keys

    def process_bind_param(self, value: Any, dialect) -> str | None:
        if value is None:
            return None
        return self.keys().encrypt(str(value))

    def process_result_value(self, value: str | None, dialect) -> str | None:
        if value is None:
            return None
        return self.keys().decrypt(value)


class EncryptedJSON(Encrypted):
    """A JSON value (list, dict...) stored as a Fernet token of its JSON text."""

    cache_ok = True

    def process_bind_param(self, value: Any, dialect) -> str | None:
        if value is None:
            return None
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return self.keys().encrypt(text)

    def process_result_value(self, value: str | None, dialect) -> Any:
        if value is None:
            return None
        return json.loads(self.keys().decrypt(value))


# --- sealed files (backups) -------------------------------------------------------------
# Layout: MAGIC, scrypt's cost (log2 n, one byte), 16 bytes of salt, 7 bytes of nonce
# prefix, then chunks of at most
# CHUNK bytes of clear text, each AES-256-GCM with nonce = prefix + chunk number (4
# bytes) + 1 on the last chunk else 0 (the STREAM construction), the header as
# associated data: a reordered, dropped or cut chunk, or a wrong passphrase, fails.

MAGIC = b"AFTERSALES-SEALED-1\n"
CHUNK = 1 << 20
_SALT = 16
_PREFIX = 7
_TAG = 16
SCRYPT_N = 1 << 15


class SealError(RuntimeError):
    """A sealed file is not one, was changed, or the passphrase is wrong."""


def _derive(passphrase: str, salt: bytes, n: int) -> bytes:
    if not passphrase:
        raise SealError("no passphrase given")
    return Scrypt(salt=salt, length=32, n=n, r=8, p=1).derive(passphrase.encode("utf-8"))


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + counter.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def seal_file(source: BinaryIO, target: BinaryIO, passphrase: str) -> None:
    """Write ``source`` encrypted under ``passphrase`` to ``target``."""
    salt, prefix = os.urandom(_SALT), os.urandom(_PREFIX)
    cost = SCRYPT_N.bit_length() - 1
    header = MAGIC + bytes([cost]) + salt + prefix
    aead = AESGCM(_derive(passphrase, salt, 1 << cost))
    target.write(header)
    counter = 0
    chunk = source.read(CHUNK)
    while True:
        following = source.read(CHUNK)
        last = not following
        target.write(aead.encrypt(_nonce(prefix, counter, last), chunk, header))
        if last:
            return
        chunk, counter = following, counter + 1


def open_sealed(source: BinaryIO, target: BinaryIO, passphrase: str) -> None:
    """Write the clear text of a sealed ``source`` to ``target``; ``SealError`` when it
    does not open (wrong passphrase, changed or cut file)."""
    size = len(MAGIC) + 1 + _SALT + _PREFIX
    header = source.read(size)
    if len(header) < size or not header.startswith(MAGIC) or not 10 <= header[len(MAGIC)] <= 22:
        raise SealError("not a sealed file")
    cost = header[len(MAGIC)]
    salt = header[len(MAGIC) + 1 : len(MAGIC) + 1 + _SALT]
    prefix = header[len(MAGIC) + 1 + _SALT :]
    aead = AESGCM(_derive(passphrase, salt, 1 << cost))
    counter = 0
    chunk = source.read(CHUNK + _TAG)
    while True:
        following = source.read(CHUNK + _TAG)
        last = not following
        try:
            target.write(aead.decrypt(_nonce(prefix, counter, last), chunk, header))
        except Exception as exc:  # cryptography's InvalidTag
            raise SealError(
                "the sealed file does not open: wrong passphrase, or the file was changed"
            ) from exc
        if last:
            return
        chunk, counter = following, counter + 1


def is_sealed(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(len(MAGIC)) == MAGIC
