"""Structured JSON logs with the ids of what is being worked on, and secrets redacted.

`log_context(account_id=..., order_id=...)` attaches ids to every record logged
inside it (through a context variable, so concurrent tasks keep their own ids).
`configure_logging` installs a JSON formatter on the root logger and a filter
that masks values of keys that look secret and credentials inside messages.
"""

import contextlib
import contextvars
import logging
import re
import sys
from collections.abc import Iterator
from typing import Any

from pythonjsonlogger.json import JsonFormatter

_CONTEXT: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("crossdock_log_context", default=None)

SECRET_KEY_PATTERN = re.compile(
    r"(pass(word)?|secret|token|api[_-]?key|authorization|signature|sign|private[_-]?key|credential|cookie)", re.I
)
_INLINE_SECRET = re.compile(
    r"(?i)(\b(?:access_token|refresh_token|app_secret|api_key|apikey|password|secret|sign|code)=)([^&\s\"']+)"
    r"|(\bAuthorization:\s*)(\S+(?:\s\S+)?)"
    r"|(\bBearer\s+)([A-Za-z0-9._~+/=-]+)"
)
REDACTED = "[REDACTED]"


@contextlib.contextmanager
def log_context(**ids: Any) -> Iterator[None]:
    """Attach ids (account_id, integration_id, order_id, event_id, …) to logs emitted inside the block."""
    merged = {**(_CONTEXT.get() or {}), **{key: value for key, value in ids.items() if value is not None}}
    token = _CONTEXT.set(merged)
    try:
        yield
    finally:
        _CONTEXT.reset(token)


def redact_text(text: str) -> str:
    """Mask credentials written inline, such as `access_token=...` or an Authorization header."""

    def replace(match: re.Match[str]) -> str:
        for prefix_group in (1, 3, 5):
            if match.group(prefix_group):
                return match.group(prefix_group) + REDACTED
        return REDACTED

    return _INLINE_SECRET.sub(replace, text)


def redact_value(key: str, value: Any) -> Any:
    """Mask `value` when `key` names a secret; recurse into mappings and lists."""
    if SECRET_KEY_PATTERN.search(key):
        return REDACTED
    if isinstance(value, dict):
        return {inner_key: redact_value(str(inner_key), inner) for inner_key, inner in value.items()}
    if isinstance(value, list):
        return [redact_value(key, item) for item in value]
    if isinstance(value, str):
        return redact_text(value)
    return value


_STANDARD_ATTRIBUTES = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


class ContextAndRedactionFilter(logging.Filter):
    """Adds the context ids to each record and masks secrets in its message and extra fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in (_CONTEXT.get() or {}).items():
            if not hasattr(record, key):
                setattr(record, key, value)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not lose the record
            message = str(record.msg)
        record.msg = redact_text(message)
        record.args = None
        for key in list(record.__dict__):
            if key not in _STANDARD_ATTRIBUTES:
                setattr(record, key, redact_value(key, record.__dict__[key]))
        return True


def configure_logging(*, service: str, level: str = "INFO", json_format: bool = True) -> None:
    """Send logs to stdout as JSON lines (or plain text for local reading), with ids and redaction."""
    handler = logging.StreamHandler(sys.stdout)
    if json_format:
        formatter: logging.Formatter = JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            static_fields={"service": service},
        )
    else:
        formatter = logging.Formatter(f"%(asctime)s %(levelname)s {service} %(name)s: %(message)s")
    handler.setFormatter(formatter)
    handler.addFilter(ContextAndRedactionFilter())

    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level.upper())
    logging.getLogger("aiokafka").setLevel(max(logging.WARNING, root.level))
    logging.getLogger("uvicorn.access").setLevel(max(logging.WARNING, root.level))
