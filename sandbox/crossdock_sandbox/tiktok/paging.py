"""Opaque page tokens for the search endpoints; an empty `next_page_token` marks the last page."""

import base64
import binascii

from crossdock_sandbox.tiktok import errors

MAX_PAGE_SIZE = 100


def page_size(query: dict[str, str], *, error_code: int) -> int:
    """Read the required `page_size` query parameter, 1 to 100."""
    raw = query.get("page_size", "")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise errors.TikTokApiError(
            error_code, f"page_size {raw!r} is invalid; send an integer from 1 to {MAX_PAGE_SIZE}"
        )
    return int(raw)


def page_offset(query: dict[str, str], *, error_code: int) -> int:
    """Decode `page_token` into an offset; a missing or empty token starts at the first page."""
    token = query.get("page_token", "")
    if not token:
        return 0
    try:
        text = base64.b64decode(token, validate=True).decode()
        name, _, value = text.strip().partition("=")
        if name != "offset" or not value.isdigit():
            raise ValueError(text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise errors.TikTokApiError(
            error_code, f"page_token {token!r} is invalid; send the next_page_token of the previous page"
        ) from None
    return int(value)


def next_token(offset: int, size: int, total: int) -> str:
    """Return the token of the page after this one, or "" when this page is the last."""
    following = offset + size
    if following >= total:
        return ""
    return base64.b64encode(f"offset={following}\n".encode()).decode()
