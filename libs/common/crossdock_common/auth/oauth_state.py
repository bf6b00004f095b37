"""The OAuth `state` parameter: a short-lived signed value binding a callback to its integration.

The callback carries no bearer token, so `state` is what proves the request
belongs to an authorization this hub started. It is a JWT signed with the API
key and a distinct audience, valid for ten minutes; the connector also stores
its nonce and accepts each one once, which stops replays.
"""

import secrets
import time

import jwt

from crossdock_common.auth.tokens import ALGORITHM, ISSUER, TokenError

AUDIENCE = "crossdock:oauth-state"


def make_oauth_state(*, secret: str, account_id: str, integration_id: str, ttl_seconds: int = 600) -> tuple[str, str]:
    """Return (state, nonce) for an authorization of `integration_id`."""
    nonce = secrets.token_urlsafe(16)
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "account_id": account_id,
        "integration_id": integration_id,
        "nonce": nonce,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM), nonce


def read_oauth_state(state: str, *, secret: str) -> dict[str, str]:
    """Verify `state` and return its account_id, integration_id and nonce."""
    try:
        claims = jwt.decode(state, secret, algorithms=[ALGORITHM], issuer=ISSUER, audience=AUDIENCE)
    except jwt.ExpiredSignatureError:
        raise TokenError("OAuth state expired; start the authorization again") from None
    except jwt.InvalidTokenError as error:
        raise TokenError(f"invalid OAuth state: {error}") from None
    return {"account_id": claims["account_id"], "integration_id": claims["integration_id"], "nonce": claims["nonce"]}
