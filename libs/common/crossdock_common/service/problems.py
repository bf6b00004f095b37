"""Errors as RFC 9457 problem details (`application/problem+json`)."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"


class ProblemError(Exception):
    """An error returned as a problem document. Extra keyword fields become problem extensions."""

    def __init__(
        self,
        *,
        status: int,
        title: str,
        detail: str,
        type: str = "about:blank",
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type
        self.headers = headers
        self.extensions = extensions

    def to_dict(self, instance: str | None = None) -> dict[str, Any]:
        body = {"type": self.type, "title": self.title, "status": self.status, "detail": self.detail}
        if instance:
            body["instance"] = instance
        body.update(self.extensions)
        return body


def problem_response(problem: ProblemError, request: Request) -> JSONResponse:
    return JSONResponse(
        problem.to_dict(instance=request.url.path),
        status_code=problem.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=problem.headers,
    )


def not_found(kind: str, identifier: str) -> ProblemError:
    """Build the 404 problem for a record missing from the caller's account, including one of another account."""
    return ProblemError(status=404, title="Not Found", detail=f"{kind} {identifier!r} not found")


def install_problem_handlers(app: FastAPI) -> None:
    """Install handlers that return every error of `app` as a problem document."""

    @app.exception_handler(ProblemError)
    async def _problem(request: Request, error: ProblemError) -> JSONResponse:
        return problem_response(error, request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        problem = ProblemError(
            status=error.status_code, title=_title(error.status_code), detail=str(error.detail), headers=error.headers
        )
        return problem_response(problem, request)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "location": ".".join(str(part) for part in item.get("loc", ())),
                "message": item.get("msg", ""),
                "input": _safe(item.get("input")),
            }
            for item in error.errors()
        ]
        detail = "; ".join(f"{item['location']}: {item['message']}" for item in errors) or "invalid request"
        problem = ProblemError(status=422, title="Invalid request", detail=detail, errors=errors)
        return problem_response(problem, request)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        problem = ProblemError(
            status=500, title="Internal Server Error", detail="unexpected error; see the service log"
        )
        return problem_response(problem, request)


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _safe(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | dict):
        return value
    return str(value)
