"""Content-signing keys for the tests: one trusted, one a stranger's."""

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contract.signing import Signer

SIGNER = Signer(Ed25519PrivateKey.generate())
STRANGER = Signer(Ed25519PrivateKey.generate())
TRUSTED = {SIGNER.kid: SIGNER.private_key.public_key()}
