"""Key names and sealing for shared stores: hashes of the credentials, AES-GCM for the token."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from typing import Final, Protocol

from ._secret import Secret

VERSION: Final = "v1."
NONCE_BYTES: Final = 12


def key_id(api_key: Secret, *parts: str) -> str:
    """Return a store key id: an HMAC keyed with the API key over the parts (no secret in it)."""
    message = "\0".join(("flinkey-async", *parts)).encode()
    return hmac.new(api_key.reveal().encode(), message, hashlib.sha256).hexdigest()[:32]


class Codec(Protocol):
    """Turns a token payload into the text kept in a store, and back (None: unreadable)."""

    def seal(self, plain: str) -> str: ...

    def open(self, sealed: str) -> str | None: ...


class Plain:
    """The codec of stores whose values never leave this process."""

    def seal(self, plain: str) -> str:
        """Return the payload as is."""
        return plain

    def open(self, sealed: str) -> str | None:
        """Return the payload as is."""
        return sealed


class AesGcm:
    """AES-256-GCM under a key derived (HKDF-SHA256) from the API key and the password."""

    def __init__(self, api_key: Secret, password: Secret, context: str) -> None:
        try:
            from cryptography.hazmat.primitives import hashes
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM
            from cryptography.hazmat.primitives.kdf.hkdf import HKDF
        except ImportError:  # pragma: no cover - the redis extra installs it
            raise ImportError(
                "a shared token store seals tokens with the cryptography package: "
                'pip install "flinkey-async[redis]"'
            ) from None
        secret = "\0".join((api_key.reveal(), password.reveal())).encode()
        derived = HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=b"flinkey-async token store",
            info=context.encode(),
        ).derive(secret)
        self._aead = AESGCM(derived)
        self._context = context.encode()  # bound as associated data: no moving values around

    def seal(self, plain: str) -> str:
        """Return the payload encrypted under a fresh nonce, as ASCII text."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plain.encode(), self._context)
        return VERSION + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def open(self, sealed: str) -> str | None:
        """Return the payload, or None if it was sealed under other credentials or altered."""
        from cryptography.exceptions import InvalidTag

        if not sealed.startswith(VERSION):
            return None
        try:
            raw = base64.urlsafe_b64decode(sealed[len(VERSION) :])
            plain = self._aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], self._context)
            return plain.decode()
        except (ValueError, InvalidTag, UnicodeDecodeError):
            return None
