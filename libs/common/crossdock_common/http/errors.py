"""Errors of outbound marketplace calls. The `retriable` class attribute marks errors worth another attempt."""

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


class ClientError(Exception):
    """Base of every outbound-call error."""

    retriable = False
    counts_as_attempt = True

    def __init__(self, message: str, *, status_code: int | None = None, body: str | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.body = body


# Transient: the same call may succeed later.


class NetworkError(ClientError):
    """Connection refused or reset, DNS or TLS failure, or a timeout."""

    retriable = True


class ServerError(ClientError):
    """The server returned a 5xx status."""

    retriable = True


class RateLimitedError(ClientError):
    """The server returned 429 or its own rate-limit code. Waiting is expected, so it uses no attempt."""

    retriable = True
    counts_as_attempt = False

    def __init__(
        self, message: str, *, retry_after: float | None = None, status_code: int | None = 429, body: str | None = None
    ) -> None:
        super().__init__(message, status_code=status_code, body=body)
        self.retry_after = retry_after


# Permanent for this request.


class HttpStatusError(ClientError):
    """The server returned a 4xx status other than 429, so the request must change before it can succeed."""


class RetriesExhaustedError(ClientError):
    """Every attempt failed with a transient error; `last_error` is the final one."""

    retriable = True

    def __init__(self, message: str, *, last_error: ClientError) -> None:
        super().__init__(message, status_code=last_error.status_code, body=last_error.body)
        self.last_error = last_error


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Read a Retry-After header: delay seconds or an HTTP date. Return seconds, or None when absent or invalid."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(float(text), 0.0)
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    current = now or datetime.now(UTC)
    return max((moment - current).total_seconds(), 0.0)
