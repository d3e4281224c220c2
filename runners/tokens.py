"""Random secrets that are shown once and stored only as a hash.

Host tokens and job secrets are 256-bit random strings, so a plain sha256 is enough to keep
a database leak from handing them out (no password stretching needed), and the digest can be
looked up directly.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_secret(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def secret_matches(secret: str | None, stored_hash: str) -> bool:
    if not secret or not stored_hash:
        return False
    # Constant time, so response timing says nothing about how much of a guess was right.
    return hmac.compare_digest(secret_hash(secret), stored_hash)
