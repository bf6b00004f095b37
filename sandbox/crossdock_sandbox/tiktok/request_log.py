"""The record of every API request the hub sent, kept for test assertions."""

import json
from dataclasses import asdict, dataclass


@dataclass
class LoggedRequest:
    """One request and the verdict it got: HTTP status plus the envelope's code and message."""

    method: str
    path: str
    query: dict[str, str]
    body: str
    http_status: int
    code: int | None
    message: str
    time: float

    def as_dict(self) -> dict:
        return asdict(self)


class RequestLog:
    def __init__(self) -> None:
        self.entries: list[LoggedRequest] = []

    def record(
        self,
        *,
        method: str,
        path: str,
        query: dict[str, str],
        body: bytes,
        http_status: int,
        response_body: bytes,
        time: float,
    ) -> None:
        code, message = _verdict(response_body)
        text = body.decode("utf-8", errors="replace")
        self.entries.append(
            LoggedRequest(
                method=method,
                path=path,
                query=query,
                body=text,
                http_status=http_status,
                code=code,
                message=message,
                time=time,
            )
        )

    def clear(self) -> None:
        self.entries.clear()


def _verdict(response_body: bytes) -> tuple[int | None, str]:
    """Read `code` and `message` from a JSON envelope; other bodies (HTML, redirects) have none."""
    try:
        parsed = json.loads(response_body)
    except (ValueError, UnicodeDecodeError):
        return None, ""
    if not isinstance(parsed, dict):
        return None, ""
    return parsed.get("code"), str(parsed.get("message", ""))
