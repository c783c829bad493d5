"""Ed25519-signed envelopes for server→station content.

Envelope: ``{"v":1,"kid":"…","sig":"<base64url, no padding>","payload":{…}}``.
The signature covers the canonical form of ``payload``: RFC 8785 JSON (keys sorted, no
whitespace, UTF-8, numbers as ECMAScript prints them; see contract.canonical).
"""

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from contract.canonical import canonical_bytes
from contract.codec import MAX_PAYLOAD_BYTES, WIRE_VERSION, load_json, validate
from contract.content import CONTENT_MODELS, AnyContent
from contract.errors import ContractError
from contract.topics import ContentKind

# An Ed25519 signature is 64 bytes: 86 base64url characters without padding.
_SIG = re.compile(r"[A-Za-z0-9_-]{86}")


def canonical_json(value: Any) -> bytes:
    """The bytes a signature covers (RFC 8785); ValueError for what JSON cannot carry."""
    return canonical_bytes(value)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_id(public_key: Ed25519PublicKey) -> str:
    """A short, stable name for a public key: the first 8 bytes of its raw form, base64url."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return _b64(raw[:8])


@dataclass(frozen=True)
class Signer:
    private_key: Ed25519PrivateKey

    @property
    def kid(self) -> str:
        return key_id(self.private_key.public_key())

    def sign(self, content: AnyContent) -> bytes:
        payload = content.model_dump(mode="json", exclude_none=True)
        signature = self.private_key.sign(canonical_json(payload))
        envelope = {"v": WIRE_VERSION, "kid": self.kid, "sig": _b64(signature), "payload": payload}
        return canonical_json(envelope)


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ContractError("key", "the content-signing key must be an Ed25519 public key")
    return key


def load_private_key(pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ContractError("key", "the content-signing key must be an Ed25519 private key")
    return key


def verify(
    raw: bytes,
    trusted: Mapping[str, Ed25519PublicKey],
    expected_kind: ContentKind,
    now_ms: int,
    expected_id: str | None = None,
) -> AnyContent:
    """Check an envelope's signature, kind and expiry; return the content.

    ``expected_id`` is the notice id from the topic, when there is one: a notice signed for
    one id cannot be replayed under another's topic. Version ordering (refusing older
    content) is the receiver's job, with ``check_newer``: only it knows what it holds.
    """
    envelope = load_json(raw, MAX_PAYLOAD_BYTES)
    kid, sig, payload = envelope.get("kid"), envelope.get("sig"), envelope.get("payload")
    if not isinstance(sig, str) or not isinstance(payload, dict):
        raise ContractError("unsigned", "content must be a signed envelope with sig and payload")
    if not isinstance(kid, str) or kid not in trusted:
        raise ContractError("signature", f"signed by unknown key {str(kid)[:40]!r}")
    try:
        signed = canonical_json(payload)
    except (ValueError, RecursionError):
        raise ContractError("json", "payload cannot be put in canonical form") from None
    if not _SIG.fullmatch(sig):
        raise ContractError("signature", "sig must be 86 base64url characters without padding")
    try:
        trusted[kid].verify(_unb64(sig), signed)
    except (InvalidSignature, binascii.Error, ValueError):
        raise ContractError("signature", "signature does not match the content") from None
    if payload.get("kind") != expected_kind.value:
        raise ContractError(
            "kind", f"{str(payload.get('kind'))[:40]!r} content on a {expected_kind.value} topic"
        )
    content = validate(CONTENT_MODELS[expected_kind], payload)
    if expected_id is not None and content.id != expected_id:
        raise ContractError(
            "topic", f"content {content.id!r} arrived on the topic of {expected_id!r}"
        )
    if content.expires_at is not None and content.expires_at <= now_ms:
        raise ContractError("expired", f"{content.id} v{content.version} expired")
    return content


def check_newer(content: AnyContent, held_version: int | None) -> AnyContent:
    """Refuse content that is not newer than the version the receiver already holds.

    A station keeps, per (kind, id), the highest version it has verified; the same or a
    lower version is a replay and raises ContractError("stale").
    """
    if held_version is not None and content.version <= held_version:
        raise ContractError(
            "stale", f"{content.id} v{content.version} is not newer than v{held_version}"
        )
    return content
