"""Errors of TikTok Shop API calls, typed by the envelope's `code`.

TikTok reports most errors as HTTP 200 with a non-zero `code`, so the type comes
from the code, not from the HTTP status. `retriable` marks whether the same call
may succeed later.
"""

from crossdock_common.http import ClientError, RateLimitedError, ServerError

RATE_LIMITED = 36009002
INTERNAL_ERROR = 36009003
COMMON_PARAMETER_INVALID = 36009004
REQUEST_TIMEOUT = 36009007
ACCESS_TOKEN_EXPIRED = 105002
SCOPE_MISSING = 105005
SIGNATURE_INVALID = 106001
SHOP_CIPHER_MISSING = 106013
REFRESH_TOKEN_EXPIRED = 36004001
AUTH_CODE_INVALID = 36004004
AUTH_RECORD_NOT_FOUND = 36004005
REGION_NOT_SUPPORTED = 21008106
FULFILLED_BY_PLATFORM = 21008025

REAUTHORIZE_MESSAGE = "re-authorize the TikTok Shop app"


# Base


class TikTokApiError(ClientError):
    """A TikTok Shop call returned a non-zero `code`."""

    retriable = False

    def __init__(self, message: str, *, code: int, request_id: str | None = None, status_code: int | None = None):
        super().__init__(f"TikTok code {code}: {message}", status_code=status_code)
        self.code = code
        self.api_message = message
        self.request_id = request_id


# Transient


class TikTokRateLimitedError(RateLimitedError):
    """Code 36009002 (HTTP 429): too many calls per second for this API, app and shop."""

    code = RATE_LIMITED


class TikTokServerError(ServerError):
    """Code 36009003 or 36009007, or HTTP 5xx: TikTok failed or timed out internally."""


class TimestampRejectedError(TikTokApiError):
    """Code 36009004 about the timestamp: the clock is off; a fresh timestamp may pass."""

    retriable = True


# Tokens and authorization


class AccessTokenExpiredError(TikTokApiError):
    """Code 105002, or 36009004 about the access token: refresh the token once and retry."""


class ReauthorizationRequiredError(TikTokApiError):
    """The refresh token expired or was revoked (36004001, 36004005): the seller must authorize again."""


class AuthCodeInvalidError(TikTokApiError):
    """Code 36004004: the authorization code is wrong, used or older than 30 minutes."""


# Permanent configuration errors: retrying cannot help until someone changes a setting.


class ConfigurationError(TikTokApiError):
    """An app or shop setting is wrong; see the message for which."""


class ScopeMissingError(ConfigurationError):
    """Code 105005: the app lacks the API package; enable it in Partner Center and re-authorize."""


class SignatureRejectedError(ConfigurationError):
    """Code 106001: the sign did not match; check the app secret."""


class RegionNotSupportedError(ConfigurationError):
    """Code 21008106: this fulfillment API is not available for the shop's region or business type."""


class FulfilledByPlatformError(TikTokApiError):
    """Code 21008025: the order is fulfilled by TikTok, so the seller cannot ship it."""


class PaginationLoopError(TikTokApiError):
    """A page returned the same `next_page_token` as the previous page, so paging would never end."""


_BY_CODE: dict[int, type[TikTokApiError]] = {
    ACCESS_TOKEN_EXPIRED: AccessTokenExpiredError,
    SCOPE_MISSING: ScopeMissingError,
    SIGNATURE_INVALID: SignatureRejectedError,
    SHOP_CIPHER_MISSING: ConfigurationError,
    REFRESH_TOKEN_EXPIRED: ReauthorizationRequiredError,
    AUTH_RECORD_NOT_FOUND: ReauthorizationRequiredError,
    AUTH_CODE_INVALID: AuthCodeInvalidError,
    REGION_NOT_SUPPORTED: RegionNotSupportedError,
    FULFILLED_BY_PLATFORM: FulfilledByPlatformError,
    36009033: ConfigurationError,
}


def classify_common_parameter_error(message: str) -> type[TikTokApiError]:
    """Tell apart the causes TikTok reports under the overloaded code 36009004 by their message."""
    text = message.lower()
    if "timestamp" in text:
        return TimestampRejectedError
    if any(spelling in text for spelling in ("access_token", "access-token", "access token")):
        return AccessTokenExpiredError
    return ConfigurationError


def error_for(
    *,
    code: int,
    message: str,
    request_id: str | None = None,
    status_code: int | None = None,
    retry_after: float | None = None,
) -> ClientError:
    """Build the typed error of a TikTok envelope with a non-zero `code`."""
    if code == RATE_LIMITED:
        error = TikTokRateLimitedError(
            f"TikTok code {code}: {message}", retry_after=retry_after, status_code=status_code
        )
        return error
    if code in (INTERNAL_ERROR, REQUEST_TIMEOUT):
        return TikTokServerError(f"TikTok code {code}: {message}", status_code=status_code)
    if code == COMMON_PARAMETER_INVALID:
        kind = classify_common_parameter_error(message)
    else:
        kind = _BY_CODE.get(code, TikTokApiError)
    return kind(message, code=code, request_id=request_id, status_code=status_code)
