"""Stations accept only content the server signed, for the right topic, unexpired and newer."""

import base64
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from contract import ContractError
from contract.content import AlertKind, HeatAlert, Notice, StationConfig
from contract.signing import (
    Signer,
    canonical_json,
    check_newer,
    key_id,
    load_private_key,
    load_public_key,
    verify,
)
from contract.topics import ContentKind
from tests.contract import strategies as s
from tests.contract.keys import SIGNER, STRANGER, TRUSTED
from tests.contract.outcome import outcome

NOW = 1_785_000_000_000
NOTICE = Notice(
    id="water-map",
    version=3,
    issued_at=NOW - 60_000,
    expires_at=NOW + 86_400_000,
    title={"ja": "給水所マップ", "en": "Water stations"},
)


def refusal(raw: bytes, kind: ContentKind = ContentKind.NOTICE, **kwargs: Any) -> str:
    with pytest.raises(ContractError) as caught:
        verify(raw, TRUSTED, kind, NOW, **kwargs)
    return caught.value.reason


def test_signed_content_verifies() -> None:
    assert verify(SIGNER.sign(NOTICE), TRUSTED, ContentKind.NOTICE, NOW) == NOTICE


def test_the_envelope_carries_version_key_id_signature_and_payload() -> None:
    envelope = json.loads(SIGNER.sign(NOTICE))
    assert set(envelope) == {"v", "kid", "sig", "payload"}
    assert envelope["v"] == 1
    assert envelope["kid"] == SIGNER.kid
    assert len(envelope["sig"]) == 86
    assert envelope["payload"]["title"]["ja"] == "給水所マップ"


def envelope_with(**changes: Any) -> bytes:
    envelope = json.loads(SIGNER.sign(NOTICE)) | changes
    return json.dumps(envelope, ensure_ascii=False).encode()


def test_a_tampered_payload_is_refused() -> None:
    payload = NOTICE.model_dump(mode="json", exclude_none=True) | {"version": 99}
    assert refusal(envelope_with(payload=payload)) == "signature"


def test_a_tampered_signature_is_refused() -> None:
    sig = json.loads(SIGNER.sign(NOTICE))["sig"]
    flipped = ("B" if sig[0] == "A" else "A") + sig[1:]
    assert refusal(envelope_with(sig=flipped)) == "signature"
    assert refusal(envelope_with(sig=sig + "==")) == "signature"  # padding is not allowed
    assert refusal(envelope_with(sig=sig[:40] + "!" + sig[41:])) == "signature"


def test_the_same_payload_written_differently_still_verifies() -> None:
    """The signature covers the canonical form, not the bytes: order and spacing do not matter."""
    envelope = json.loads(SIGNER.sign(NOTICE))
    payload = dict(reversed(list(envelope["payload"].items())))
    raw = json.dumps(envelope | {"payload": payload}, indent=2).encode()
    assert verify(raw, TRUSTED, ContentKind.NOTICE, NOW) == NOTICE


def test_unsigned_content_is_refused() -> None:
    payload = NOTICE.model_dump(mode="json", exclude_none=True)
    assert refusal(json.dumps({"v": 1, "payload": payload}).encode()) == "unsigned"
    assert refusal(json.dumps({"v": 1} | payload).encode()) == "unsigned"


def test_content_signed_by_an_unknown_key_is_refused() -> None:
    assert refusal(STRANGER.sign(NOTICE)) == "signature"


def test_a_stranger_cannot_borrow_the_trusted_key_id() -> None:
    forged = json.loads(STRANGER.sign(NOTICE)) | {"kid": SIGNER.kid}
    assert refusal(json.dumps(forged).encode()) == "signature"


def test_either_of_two_trusted_keys_verifies_during_a_rotation() -> None:
    both = TRUSTED | {STRANGER.kid: STRANGER.private_key.public_key()}
    assert verify(STRANGER.sign(NOTICE), both, ContentKind.NOTICE, NOW) == NOTICE


def test_content_of_the_wrong_kind_for_the_topic_is_refused() -> None:
    config = StationConfig(id="fleet", version=1, issued_at=NOW, reading_interval_s=60)
    assert refusal(SIGNER.sign(config), ContentKind.NOTICE) == "kind"
    assert refusal(SIGNER.sign(NOTICE), ContentKind.ALERT) == "kind"


def test_a_notice_published_under_another_notices_topic_is_refused() -> None:
    assert refusal(SIGNER.sign(NOTICE), expected_id="bus-times") == "topic"
    assert verify(SIGNER.sign(NOTICE), TRUSTED, ContentKind.NOTICE, NOW, "water-map") == NOTICE


def test_expired_content_is_refused() -> None:
    expired = NOTICE.model_copy(update={"expires_at": NOW})
    assert refusal(SIGNER.sign(expired)) == "expired"
    alive = NOTICE.model_copy(update={"expires_at": NOW + 1})
    assert verify(SIGNER.sign(alive), TRUSTED, ContentKind.NOTICE, NOW) == alive


def test_signed_content_that_breaks_the_schema_is_refused() -> None:
    payload = NOTICE.model_dump(mode="json", exclude_none=True) | {"title": {"en": "No Japanese"}}
    signature = SIGNER.private_key.sign(canonical_json(payload))  # as a buggy server could
    sig = base64.urlsafe_b64encode(signature).rstrip(b"=").decode()
    envelope = {"v": 1, "kid": SIGNER.kid, "sig": sig, "payload": payload}
    assert refusal(json.dumps(envelope).encode()) == "schema"


def test_an_unknown_envelope_version_is_refused() -> None:
    assert refusal(envelope_with(v=2)) == "version"


def test_only_newer_versions_replace_what_a_station_holds() -> None:
    assert check_newer(NOTICE, None) is NOTICE
    assert check_newer(NOTICE, 2) is NOTICE
    for held in (3, 4):
        with pytest.raises(ContractError) as caught:
            check_newer(NOTICE, held)
        assert caught.value.reason == "stale"


def test_a_withdrawal_is_signed_content_at_a_higher_version() -> None:
    withdrawal = Notice(id="water-map", version=4, issued_at=NOW, withdrawn=True)
    verified = verify(SIGNER.sign(withdrawal), TRUSTED, ContentKind.NOTICE, NOW, "water-map")
    assert check_newer(verified, NOTICE.version) == withdrawal


def test_alerts_verify_on_the_alert_topic() -> None:
    alert = HeatAlert(
        id="kanagawa-east",
        version=1,
        issued_at=NOW,
        alert=AlertKind.HEATSTROKE_ALERT,
        forecast_wbgt=33.0,
        valid_on="2026-08-01",
        message={"ja": "熱中症警戒アラートが出ています"},
    )
    assert verify(SIGNER.sign(alert), TRUSTED, ContentKind.ALERT, NOW) == alert


def test_keys_load_from_pem_and_name_themselves() -> None:
    private = Ed25519PrivateKey.generate()
    pem_private = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    pem_public = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    public = load_public_key(pem_public)
    assert key_id(public) == Signer(load_private_key(pem_private)).kid
    assert len(key_id(public)) == 11


@settings(max_examples=200)
@given(raw=st.binary(max_size=300), kind=st.sampled_from(ContentKind))
def test_arbitrary_bytes_never_crash_verification(raw: bytes, kind: ContentKind) -> None:
    result, reason = outcome(verify, raw, TRUSTED, kind, NOW)
    assert result is None
    assert reason in {"too_large", "encoding", "json", "version", "unsigned", "signature"}


@settings(max_examples=200)
@given(
    kid=st.sampled_from([SIGNER.kid, "nobody"]) | s.json_values,
    sig=st.sampled_from([json.loads(SIGNER.sign(NOTICE))["sig"], "A" * 86]) | s.json_values,
    payload=s.json_values | st.dictionaries(st.text(max_size=10), s.json_values, max_size=5),
    kind=st.sampled_from(ContentKind),
)
def test_arbitrary_envelopes_never_crash_verification(
    kid: Any, sig: Any, payload: Any, kind: ContentKind
) -> None:
    raw = json.dumps({"v": 1, "kid": kid, "sig": sig, "payload": payload}).encode()
    with pytest.raises(ContractError):
        verify(raw, TRUSTED, kind, NOW)


@pytest.mark.parametrize(
    "payload_json",
    [
        '{"kind":"notice","id":"x","title":{"ja":"\\ud800"}}',  # a lone surrogate
        '{"kind":"notice","version":1' + "0" * 400 + "}",  # beyond any double
    ],
)
def test_payloads_that_have_no_canonical_form_are_refused(payload_json: str) -> None:
    raw = f'{{"v":1,"kid":"{SIGNER.kid}","sig":"{"A" * 86}","payload":{payload_json}}}'.encode()
    assert refusal(raw) == "json"


@pytest.mark.parametrize(
    "change",
    [{"version": "2"}, {"version": 2.0}, {"issued_at": True}, {"expires_at": "1785086400000"}],
)
def test_signed_content_of_the_wrong_type_is_refused_though_the_signature_holds(
    change: dict[str, Any],
) -> None:
    payload = json.loads(SIGNER.sign(NOTICE))["payload"] | change
    signature = SIGNER.private_key.sign(canonical_json(payload))
    sig = base64.urlsafe_b64encode(signature).rstrip(b"=").decode("ascii")
    raw = json.dumps({"v": 1, "kid": SIGNER.kid, "sig": sig, "payload": payload}).encode()
    assert refusal(raw) == "schema"
