"""Errors of the catalog service. Each maps to one HTTP status; none is worth retrying."""

from typing import Any


class CatalogError(Exception):
    """Base of catalog errors: a status, a title and a detail naming the value and the fix."""

    status = 400
    title = "Bad Request"
    retriable = False

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class NotFoundError(CatalogError):
    """The record does not exist in the caller's account."""

    status = 404
    title = "Not Found"


class ConflictError(CatalogError):
    """The request contradicts the current state, such as the catalog source or an existing SKU."""

    status = 409
    title = "Conflict"


class InvalidInputError(CatalogError):
    """The request is well-formed but a value breaks a catalog rule."""

    status = 422
    title = "Invalid input"
