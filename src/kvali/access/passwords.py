"""Password hashes: salted scrypt (memory-hard) with its parameters in the stored string.

A hash reads `scrypt$N$R$P$SALT$HASH` (salt and hash in base64), so the cost can be raised
later without breaking stored hashes. Verification recomputes the hash with the stored
parameters and compares in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import cache

SCHEME = "scrypt"
N, R, P = 2**14, 8, 1  # 16 MiB of memory per hash
SALT_BYTES = 16
KEY_BYTES = 32
MAX_WORK = 2**20  # N * R * P accepted from a stored hash (128 MiB), so a bad row cannot hang us


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                          dklen=KEY_BYTES, maxmem=130 * n * r * p + 2**20)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    """A new salted hash of PASSWORD, as stored in `users.password_hash`."""
    salt = os.urandom(SALT_BYTES)
    return "$".join([SCHEME, str(N), str(R), str(P), _b64(salt),
                     _b64(_scrypt(password, salt, N, R, P))])


def verify_password(password: str, stored: str) -> bool:
    """Whether PASSWORD matches the STORED hash (False for a malformed hash)."""
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        n_, r_, p_ = int(n), int(r), int(p)
        if scheme != SCHEME or n_ < 2 or n_ & (n_ - 1) or min(r_, p_) < 1 \
                or n_ * r_ * p_ > MAX_WORK:
            return False
        actual = _scrypt(password, base64.b64decode(salt, validate=True), n_, r_, p_)
        return hmac.compare_digest(actual, base64.b64decode(expected, validate=True))
    except (ValueError, TypeError):
        return False


@cache
def dummy_hash() -> str:
    """A hash no password is checked against on purpose: verifying an unknown user's log-in
    against it costs as much as a real check, so timing does not tell which names exist."""
    return hash_password(_b64(os.urandom(SALT_BYTES)))
