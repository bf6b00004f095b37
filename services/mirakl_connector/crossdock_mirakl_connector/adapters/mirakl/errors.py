"""Errors of Mirakl seller API calls, mapped from HTTP statuses and Mirakl error bodies."""

from crossdock_common.http import ClientError, HttpStatusError


class MiraklApiError(HttpStatusError):
    """Mirakl returned 4xx (other than 429). `mirakl_code` contains a code such as ORDER_INVALID_STATE when given."""

    def __init__(self, message: str, *, status_code: int, body: str | None, mirakl_code: str | None = None) -> None:
        super().__init__(message, status_code=status_code, body=body)
        self.mirakl_code = mirakl_code


class AuthenticationError(MiraklApiError):
    """401: the API key is missing, wrong or revoked."""


class ForbiddenError(MiraklApiError):
    """403: the key's user lacks the role the operation needs, or cannot reach the shop."""


class NotFoundError(MiraklApiError):
    """404: the path or resource does not exist for this user (often a wrong base URL)."""


class UnexpectedResponseError(ClientError):
    """Mirakl returned 2xx with a body that lacks what the operation returns, e.g. an error object or null list."""

    retriable = True


class PageRepeatedError(Exception):
    """An offset page returned exactly the ids of the previous page, so the walk would loop."""

    retriable = False


class ShopNotOpenError(Exception):
    """A01 shows the shop closed, suspended or terminated."""
