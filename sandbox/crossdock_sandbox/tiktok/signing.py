"""Request signature verification, written apart from the connector's signer on purpose.

The sandbox is the test oracle for the connector's signer, so this module shares no
code with it. The algorithm (TikTok Shop "Sign your API request", API 202309):
take every query parameter except `sign` and `access_token`, sort the keys by byte
order, concatenate each key with its value, put the request path in front and, unless
the body is multipart/form-data, the raw body bytes behind. Wrap that string in the
app secret on both sides and compute HMAC-SHA256 keyed with the app secret. The
signature is the lower-case hex digest; TikTok rejects an upper-case digest as an
invalid sign, so the comparison is case-sensitive.
"""

import hashlib
import hmac
from collections.abc import Mapping

UNSIGNED_QUERY_KEYS = frozenset({"sign", "access_token"})


def string_to_sign(*, path: str, query: Mapping[str, str], body: bytes, content_type: str = "") -> bytes:
    """Build the bytes that the signature covers, before the secret wraps them."""
    pairs = sorted((key, value) for key, value in query.items() if key not in UNSIGNED_QUERY_KEYS)
    text = path + "".join(key + value for key, value in pairs)
    signed = text.encode("utf-8")

    if not content_type.lower().startswith("multipart/form-data"):
        signed += body
    return signed


def compute_sign(
    *, app_secret: str, path: str, query: Mapping[str, str], body: bytes = b"", content_type: str = ""
) -> str:
    """Return the lower-case hex signature TikTok expects for a request."""
    secret = app_secret.encode("utf-8")
    message = secret + string_to_sign(path=path, query=query, body=body, content_type=content_type) + secret
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def sign_matches(
    sign: str, *, app_secret: str, path: str, query: Mapping[str, str], body: bytes, content_type: str
) -> bool:
    """Check a received signature exactly, so an upper-case digest does not match."""
    expected = compute_sign(app_secret=app_secret, path=path, query=query, body=body, content_type=content_type)
    return hmac.compare_digest(sign.encode("utf-8"), expected.encode("utf-8"))


def webhook_signature(*, app_key: str, app_secret: str, raw_body: bytes) -> str:
    """Return the webhook `Authorization` value: lower-case hex HMAC-SHA256(app_secret, app_key + raw body)."""
    return hmac.new(app_secret.encode("utf-8"), app_key.encode("utf-8") + raw_body, hashlib.sha256).hexdigest()
