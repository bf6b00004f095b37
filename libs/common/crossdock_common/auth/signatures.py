"""HMAC-SHA256 body signatures for the HTTP-3PL contract.

Every request between the hub and a 3PL, in both directions, carries
`X-Crossdock-Signature: sha256=<lowercase hex HMAC-SHA256 of the raw body>`,
keyed with the integration's shared secret. The signature covers the exact
bytes on the wire, so a sender signs the serialized body it is about to send,
and a receiver verifies the raw body before parsing it.
"""

import hashlib
import hmac

SIGNATURE_HEADER = "X-Crossdock-Signature"
SCHEME = "sha256="


def sign_body(body: bytes, secret: str) -> str:
    """Return the header value that signs `body` with `secret`."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return SCHEME + digest


def verify_body_signature(body: bytes, secret: str, header_value: str | None) -> bool:
    """Tell whether `header_value` is the signature of `body` under `secret`, in constant time.

    The hex digest is compared case-insensitively, because some HTTP clients
    and proxies upper-case hex; the scheme prefix must be `sha256=`.
    """
    if not header_value or not header_value.startswith(SCHEME):
        return False
    received = header_value[len(SCHEME) :].strip().lower()
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(received.encode(), expected.encode())


def hmac_sha256_hex(key: str | bytes, message: bytes) -> str:
    """Return the lowercase hex HMAC-SHA256 of `message` under `key`."""
    key_bytes = key.encode() if isinstance(key, str) else key
    return hmac.new(key_bytes, message, hashlib.sha256).hexdigest()


def hex_digests_equal(received: str, expected: str) -> bool:
    """Compare two hex digests in constant time, ignoring letter case."""
    return hmac.compare_digest(received.strip().lower().encode(), expected.strip().lower().encode())
