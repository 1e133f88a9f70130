"""Passwords (Argon2 via pwdlib), short-lived JWTs (PyJWT) and API keys (random, stored hashed)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import jwt
from pwdlib import PasswordHash

_hasher = PasswordHash.recommended()
_ALGORITHM = "HS256"
_ISSUER = "groupledger"
API_KEY_PREFIX = "glk_"


class Role(StrEnum):
    ADMIN = "admin"
    CONTROLLER = "controller"
    ACCOUNTANT = "accountant"
    AUDITOR = "auditor"
    VIEWER = "viewer"


ALL_ROLES: frozenset[Role] = frozenset(Role)
READERS: frozenset[Role] = ALL_ROLES
PREPARERS: frozenset[Role] = frozenset({Role.ADMIN, Role.CONTROLLER, Role.ACCOUNTANT})
APPROVERS: frozenset[Role] = frozenset({Role.ADMIN, Role.CONTROLLER})
ADMINS: frozenset[Role] = frozenset({Role.ADMIN})
AUDIT_READERS: frozenset[Role] = frozenset({Role.ADMIN, Role.CONTROLLER, Role.AUDITOR})


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    return _hasher.verify(password, password_hash)


# A fixed hash to spend the same time on unknown user names as on wrong passwords.
DUMMY_HASH = _hasher.hash("not-a-real-password")


@dataclass(frozen=True)
class TokenClaims:
    subject: str
    issued_at: datetime
    expires_at: datetime


class InvalidTokenError(Exception):
    pass


def create_token(*, subject: str, key: str, audience: str, now: datetime, minutes: int) -> tuple[str, int]:
    expires = now + timedelta(minutes=minutes)
    payload = {"sub": subject, "iat": now, "nbf": now, "exp": expires, "aud": audience, "iss": _ISSUER}
    return jwt.encode(payload, key, algorithm=_ALGORITHM), minutes * 60


def decode_token(token: str, *, key: str, audience: str) -> str:
    """The subject of a valid token; expiry, audience, issuer and algorithm are all checked."""
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[_ALGORITHM],
            audience=audience,
            issuer=_ISSUER,
            options={"require": ["exp", "iat", "sub", "aud", "iss"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidTokenError(str(exc)) from exc
    subject = claims.get("sub")
    if not isinstance(subject, str):
        raise InvalidTokenError("token without subject")
    return subject


def new_api_key() -> tuple[str, str, str]:
    """(the key shown once, its public prefix, the hash we store)."""
    prefix = secrets.token_hex(4)
    key = f"{API_KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    return key, prefix, hash_api_key(key)


def hash_api_key(key: str) -> str:
    # API keys carry 256 bits of randomness: a plain SHA-256 is enough (no dictionary to attack).
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def api_key_prefix(key: str) -> str | None:
    if not key.startswith(API_KEY_PREFIX):
        return None
    rest = key[len(API_KEY_PREFIX) :]
    prefix, sep, _ = rest.partition("_")
    return prefix if sep else None


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
