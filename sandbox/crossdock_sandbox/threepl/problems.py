"""Errors of the 3PL sandbox and their RFC 9457 problem-details responses.

Each error class fixes its HTTP status and problem `type`, so a handler only
raises with a detail that names the bad value, and a test can match on `type`.
"""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:crossdock:problem:"


class SandboxProblem(Exception):
    """Base of every error the sandbox returns as a problem-details response."""

    status: int = 500
    name: str = "internal-error"
    title: str = "Internal error"

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors

    def to_body(self, *, instance: str | None = None) -> dict[str, Any]:
        """Build the problem-details object, with `errors` only when there are field errors."""
        body: dict[str, Any] = {
            "type": TYPE_PREFIX + self.name,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = self.errors
        return body


# Hub-facing errors


class InvalidSignature(SandboxProblem):
    """The X-Crossdock-Signature header is missing or does not sign the body."""

    status = 401
    name = "invalid-signature"
    title = "Invalid signature"


class InvalidBody(SandboxProblem):
    """The body is not valid JSON or does not match the contract's schema."""

    status = 422
    name = "invalid-body"
    title = "Invalid request body"


class RequestIdConflict(SandboxProblem):
    """A request_id arrived again with different content."""

    status = 409
    name = "request-id-conflict"
    title = "request_id already used with different content"


class AlreadyShipped(SandboxProblem):
    """A cancellation arrived after at least one package had shipped."""

    status = 409
    name = "already-shipped"
    title = "Shipping request already shipped"


# Errors of both the hub-facing and the admin endpoints


class AccountNotFound(SandboxProblem):
    """The URL names a 3PL account that is not registered."""

    status = 404
    name = "account-not-found"
    title = "Account not found"


class ShippingRequestNotFound(SandboxProblem):
    """The URL names a request_id the account never received."""

    status = 404
    name = "shipping-request-not-found"
    title = "Shipping request not found"


class ShipmentNotFound(SandboxProblem):
    """The URL names a shipment_id the sandbox never created."""

    status = 404
    name = "shipment-not-found"
    title = "Shipment not found"


class AlreadyCancelled(SandboxProblem):
    """A manual shipment was asked for a cancelled request."""

    status = 409
    name = "already-cancelled"
    title = "Shipping request cancelled"


class QuantityExceedsRemaining(SandboxProblem):
    """A manual shipment asked for more units of a line than are left to ship."""

    status = 422
    name = "quantity-exceeds-remaining"
    title = "Quantity exceeds what is left to ship"


def field_errors(error: ValidationError | RequestValidationError, *, skip_prefix: int = 0) -> list[dict[str, Any]]:
    """Turn pydantic errors into `{pointer, field, detail}` entries that name each bad field.

    `skip_prefix` drops leading location parts such as FastAPI's `body`, so a
    pointer starts at the body root.
    """
    entries = []
    for item in error.errors():
        location = list(item["loc"][skip_prefix:])
        entries.append(
            {
                "pointer": "#/" + "/".join(str(part) for part in location) if location else "#",
                "field": _dotted(location) or "(body)",
                "detail": item["msg"],
            }
        )
    return entries


def summarize(entries: list[dict[str, Any]]) -> str:
    """Join field errors into one detail line, such as `ship_to.country: Value error, ...`."""
    return "; ".join(f"{entry['field']}: {entry['detail']}" for entry in entries)


def problem_response(
    problem: SandboxProblem, request: Request, *, headers: dict[str, str] | None = None
) -> JSONResponse:
    """Build the JSON response of `problem`, with `instance` set to the request path."""
    return JSONResponse(
        problem.to_body(instance=request.url.path),
        status_code=problem.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Answer sandbox errors and admin body errors as problem details."""

    async def handle_problem(request: Request, problem: SandboxProblem) -> JSONResponse:
        return problem_response(problem, request)

    async def handle_validation(request: Request, error: RequestValidationError) -> JSONResponse:
        entries = field_errors(error, skip_prefix=1)
        return problem_response(InvalidBody(summarize(entries), errors=entries), request)

    app.add_exception_handler(SandboxProblem, handle_problem)
    app.add_exception_handler(RequestValidationError, handle_validation)


def _dotted(location: list[Any]) -> str:
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text
