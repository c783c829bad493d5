"""docs/protocol.md says what the code does: its examples decode, its worked signature is
real, its level table and its error reasons are the code's."""

import json
import re
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import BaseModel

from contract.codec import decode, validate
from contract.content import CONTENT_MODELS, Notice
from contract.levels import LEVELS, Level
from contract.messages import Command, CommandResult, Health, Receipts, Status, Telemetry
from contract.signing import Signer, canonical_json, verify
from contract.stored import Stored
from contract.topics import ContentKind

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
# RFC 8032 §7.1 TEST 1, the key of the worked example.
EXAMPLE_KEY = Ed25519PrivateKey.from_private_bytes(
    bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
)
UPLINK: dict[str, type[BaseModel]] = {
    "telemetry": Telemetry,
    "health": Health,
    "status": Status,
    "receipts": Receipts,
    "command": Command,
    "command_result": CommandResult,
    "stored": Stored,
}


def examples(tag: str) -> list[str]:
    return re.findall(rf"```json {tag}\n(.+?)\n```", DOC, flags=re.DOTALL)


@pytest.mark.parametrize("tag", sorted(UPLINK))
def test_every_uplink_example_decodes_and_encodes_back_the_same(tag: str) -> None:
    found = examples(tag)
    assert found, f"no ```json {tag} example"
    for text in found:
        message = decode(UPLINK[tag], text.encode())
        assert json.loads(message.model_dump_json(exclude_none=True)) == json.loads(text)


@pytest.mark.parametrize("kind", list(ContentKind))
def test_every_content_example_is_valid_content(kind: ContentKind) -> None:
    found = examples(kind.value)
    assert found, f"no ```json {kind.value} example"
    for text in found:
        data: dict[str, Any] = json.loads(text)
        assert validate(CONTENT_MODELS[kind], data).kind is kind


def test_the_worked_example_is_a_real_signature() -> None:
    (envelope,) = examples("envelope")
    signer = Signer(EXAMPLE_KEY)
    assert f"`{signer.kid}`" in DOC
    payload = json.loads(envelope)["payload"]
    notice = Notice.model_validate(payload)
    assert signer.sign(notice) == envelope.encode()
    assert canonical_json(payload).decode() in DOC
    assert f"{len(canonical_json(payload))} bytes" in DOC
    trusted = {signer.kid: EXAMPLE_KEY.public_key()}
    assert verify(envelope.encode(), trusted, ContentKind.NOTICE, notice.issued_at, notice.id)


@pytest.mark.parametrize("level", list(Level))
def test_the_level_table_is_the_codes(level: Level) -> None:
    info = LEVELS[level]
    row = next(line for line in DOC.splitlines() if line.startswith(f"| `{level.value}` |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1:3] == [info.name_ja, info.name_en]
    assert cells[4:7] == [f"`{info.colour}`", f"`{info.text_colour}`", f"`{info.icon}`"]


def test_every_reason_the_contract_raises_is_documented() -> None:
    source = "".join(p.read_text() for p in (ROOT / "contract").glob("*.py"))
    raised = set(re.findall(r'ContractError\(\s*"([a-z_]+)"', source))
    table = DOC.split("## 8. Errors", 1)[1].split("## 9.", 1)[0]
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", table, re.M)) - {"reason"}
    assert raised <= documented, f"undocumented reasons: {raised - documented}"
    assert documented <= raised, f"documented but never raised: {documented - raised}"
