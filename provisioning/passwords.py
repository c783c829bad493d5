"""Broker passwords: generated secrets and Mosquitto's password-file hash.

Mosquitto 2 stores ``user:$7$<iterations>$<salt b64>$<PBKDF2-SHA512 b64>``; producing the
line here means enrolment needs no broker tools on the technician's laptop.
"""

import base64
import hashlib
import secrets

PBKDF2_ITERATIONS = 101  # mosquitto_passwd's default
SALT_BYTES = 12


def new_password() -> str:
    return secrets.token_urlsafe(24)


def mosquitto_password_line(username: str, password: str, salt: bytes | None = None) -> str:
    if ":" in username or "\n" in username:
        raise ValueError("a broker username may not contain ':' or a newline")
    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, PBKDF2_ITERATIONS)
    encoded_salt = base64.b64encode(salt).decode("ascii")
    encoded_hash = base64.b64encode(digest).decode("ascii")
    return f"{username}:$7${PBKDF2_ITERATIONS}${encoded_salt}${encoded_hash}"
