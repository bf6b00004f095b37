"""Mirakl-shaped error responses.

Mirakl's seller API returns JSON bodies with `message` and `status` (seen on
OF24 and OR13 errors); newer operations such as OR21 add a machine `code`. The
sandbox always sends `message` and `status`, plus `code` where Mirakl documents one.
"""

import math

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

UNAUTHORIZED_MESSAGE = "Unauthorized, you are not allowed to perform this call"


class MiraklApiError(Exception):
    """An error that the sandbox returns with a Mirakl-style JSON body."""

    def __init__(self, status: int, message: str, *, code: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.headers = headers or {}

    def body(self) -> dict:
        payload: dict = {"message": self.message, "status": self.status}
        if self.code is not None:
            payload["code"] = self.code
        return payload


class RateLimited(MiraklApiError):
    """A call made before the operation's call-frequency window allows it."""

    def __init__(self, *, operation: str, retry_after: float, reason: str):
        seconds = max(1, math.ceil(retry_after))
        super().__init__(
            429,
            f"Too many requests for {operation}: {reason}. Retry after {retry_after:.3f} seconds.",
            headers={"Retry-After": str(seconds)},
        )
        self.retry_after = retry_after

    def body(self) -> dict:
        payload = super().body()
        # Retry-After only carries whole seconds; the exact value helps clients
        # that run under a small time scale.
        payload["retry_after_seconds"] = round(self.retry_after, 3)
        return payload


def bad_request(message: str, *, code: str | None = None) -> MiraklApiError:
    return MiraklApiError(400, message, code=code)


def not_found(message: str, *, code: str | None = None) -> MiraklApiError:
    return MiraklApiError(404, message, code=code)


async def handle_mirakl_error(_request: Request, exc: MiraklApiError) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)


async def handle_validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    """Return Mirakl's 400 for malformed bodies and parameters, naming the first invalid field."""
    first = exc.errors()[0] if exc.errors() else {}
    location = ".".join(str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path"))
    message = f"Error with field {location or 'request'}: {first.get('msg', 'invalid value')}."
    return JSONResponse({"message": message, "status": 400}, status_code=400)
