"""TikTok Shop request and webhook signatures.

Request sign: lower-case hex HMAC-SHA256, keyed with the app secret, over
`secret + path + sorted(key + value of every query parameter except sign and
access_token) + body + secret`. The body is left out for multipart uploads.
Webhook `Authorization` header: lower-case hex HMAC-SHA256, keyed with the app
secret, over `app_key + raw body`.
"""

import hashlib
import hmac
from collections.abc import Mapping

UNSIGNED_QUERY_PARAMETERS = frozenset({"sign", "access_token"})


def sign_request(
    *, app_secret: str, path: str, query: Mapping[str, str], body: bytes = b"", multipart: bool = False
) -> str:
    """Return the `sign` query value of one request; `body` must be the exact bytes sent."""
    pairs = "".join(f"{key}{query[key]}" for key in sorted(query) if key not in UNSIGNED_QUERY_PARAMETERS)
    message = app_secret.encode() + path.encode() + pairs.encode()
    if not multipart:
        message += body
    message += app_secret.encode()
    return hmac.new(app_secret.encode(), message, hashlib.sha256).hexdigest()


def webhook_signature(*, app_key: str, app_secret: str, raw_body: bytes) -> str:
    """Return the `Authorization` value TikTok sends with a webhook carrying `raw_body`."""
    return hmac.new(app_secret.encode(), app_key.encode() + raw_body, hashlib.sha256).hexdigest()


def verify_webhook(*, app_key: str, app_secret: str, raw_body: bytes, authorization: str | None) -> bool:
    """Check a webhook's `Authorization` header against the raw body, in constant time."""
    if not authorization:
        return False
    expected = webhook_signature(app_key=app_key, app_secret=app_secret, raw_body=raw_body)
    return hmac.compare_digest(expected, authorization.strip())
