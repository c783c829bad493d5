"""The server's content-signing key pair (Ed25519), as PEM files."""

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contract.signing import key_id

PRIVATE_NAME = "content-signing.key"
PUBLIC_NAME = "content-signing.pub"


def write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=False)
    path.write_bytes(data)


def generate_keypair(directory: Path) -> str:
    """Write a new key pair into ``directory``; return its key id. Never overwrites a key."""
    private = Ed25519PrivateKey.generate()
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    if (directory / PRIVATE_NAME).exists():
        raise FileExistsError(f"{directory / PRIVATE_NAME} exists; refusing to replace a key")
    write_private(directory / PRIVATE_NAME, private_pem)
    (directory / PUBLIC_NAME).write_bytes(public_pem)
    return key_id(private.public_key())
