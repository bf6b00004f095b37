"""Bearer tokens for service APIs: HS256 JWTs carrying the account and scopes.

Every service verifies tokens locally with the shared `CROSSDOCK_JWT_SECRET`,
so no service needs another's database to authenticate a caller.
"""

import time
import uuid
from dataclasses import dataclass, field

import jwt

ISSUER = "crossdock"
ALGORITHM = "HS256"
KNOWN_SCOPES = ("read", "write", "admin")


class TokenError(ValueError):
    """A token is missing, malformed, expired or signed with another key."""


@dataclass(frozen=True)
class Principal:
    """The caller of an API request: the account it acts for and what it may do."""

    account_id: str
    scopes: frozenset[str] = field(default_factory=frozenset)
    subject: str = ""

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes or "admin" in self.scopes


def issue_token(*, secret: str, account_id: str, scopes: list[str], ttl_seconds: int = 3600, subject: str = "") -> str:
    """Sign a token for `account_id` with `scopes`, valid for `ttl_seconds`."""
    if not account_id:
        raise ValueError("account_id is required")
    unknown = sorted(set(scopes) - set(KNOWN_SCOPES))
    if unknown:
        raise ValueError(f"unknown scopes {unknown}; use {list(KNOWN_SCOPES)}")
    if ttl_seconds <= 0:
        raise ValueError(f"ttl_seconds must be positive, got {ttl_seconds}")
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "sub": subject or f"account:{account_id}",
        "account_id": account_id,
        "scopes": sorted(set(scopes)),
        "iat": now,
        "exp": now + ttl_seconds,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_token(token: str, *, secret: str) -> Principal:
    """Check the signature, issuer and expiry of `token` and return its principal."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], issuer=ISSUER, options={"require": ["exp", "iat", "account_id"]}
        )
    except jwt.ExpiredSignatureError:
        raise TokenError("token expired; issue a new one with crossdock-token") from None
    except jwt.InvalidTokenError as error:
        raise TokenError(f"invalid token: {error}") from None
    scopes = claims.get("scopes") or []
    if not isinstance(scopes, list) or not all(isinstance(scope, str) for scope in scopes):
        raise TokenError("invalid token: scopes must be a list of strings")
    return Principal(account_id=str(claims["account_id"]), scopes=frozenset(scopes), subject=str(claims.get("sub", "")))
