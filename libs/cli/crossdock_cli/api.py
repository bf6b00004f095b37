"""An authenticated HTTP client for the services, with errors a person can act on.

Every command that calls a service API goes through `ServiceClient`, so a
missing token, an unreachable service and a problem-details error response all
end as one `CliError` line that names the service and what to do next.
"""

import json
import os
from typing import Any

import httpx

from crossdock_cli.services import service_url

TOKEN_ENV = "CROSSDOCK_TOKEN"
TIMEOUT_SECONDS = 30.0
SERVICE_LABELS = {
    "catalog": "catalog",
    "inventory": "inventory",
    "order_routing": "order routing",
    "mirakl_connector": "Mirakl connector",
    "tiktok_connector": "TikTok connector",
}


class CliError(Exception):
    """A failure to report on one line and end the command with exit code 1."""


class ApiError(CliError):
    """An error response from a service, with its HTTP status."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


def read_token() -> str:
    """Return the bearer token from CROSSDOCK_TOKEN, or raise a CliError telling how to make one."""
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise CliError(
            f"{TOKEN_ENV} is not set; create a token with `crossdock token issue --account ACCOUNT` "
            f"(needs CROSSDOCK_JWT_SECRET) and export {TOKEN_ENV}=<token>"
        )
    return token


def describe_error_response(service: str, response: httpx.Response) -> str:
    """Return one line naming the service, the status and the problem `detail` of an error response."""
    label = SERVICE_LABELS.get(service, service)
    request = response.request
    where = f"{request.method} {request.url.path}"
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    if isinstance(body, dict) and ("detail" in body or "title" in body):
        title = body.get("title") or response.reason_phrase
        detail = body.get("detail")
        if not isinstance(detail, str):
            detail = json.dumps(detail, default=str)
        message = f"{label}: {response.status_code} {title}: {detail} ({where})"
    else:
        text = response.text.strip().replace("\n", " ")[:200] or response.reason_phrase
        message = f"{label}: {response.status_code} {text} ({where})"
    if response.status_code == 401:
        message += f"; check that {TOKEN_ENV} holds a valid, unexpired token (`crossdock token issue`)"
    return message


class ServiceClient:
    """Calls one service's API with the bearer token; raises CliError instead of returning error responses."""

    def __init__(self, service: str, token: str, *, timeout: float = TIMEOUT_SECONDS) -> None:
        self.service = service
        self.base_url = service_url(service)
        self._http = httpx.Client(
            base_url=self.base_url, timeout=timeout, headers={"Authorization": f"Bearer {token}"}
        )

    def __enter__(self) -> "ServiceClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._http.close()

    def request(self, method: str, path: str, *, json_body: Any = None, params: dict | None = None) -> Any:
        """Send one request and return the decoded JSON body (None for an empty body)."""
        clean_params = {key: value for key, value in (params or {}).items() if value is not None}
        try:
            response = self._http.request(method, path, json=json_body, params=clean_params or None)
        except httpx.TransportError as error:
            variable = f"CROSSDOCK_{self.service.upper()}_URL"
            raise CliError(
                f"cannot reach the {SERVICE_LABELS.get(self.service, self.service)} service at {self.base_url} "
                f"({type(error).__name__}: {error}); start it or set {variable} to its base URL"
            ) from None
        if response.status_code >= 400:
            raise ApiError(describe_error_response(self.service, response), status=response.status_code)
        if not response.content:
            return None
        return response.json()

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: Any = None, **params: Any) -> Any:
        return self.request("POST", path, json_body=body, params=params)

    def put(self, path: str, body: Any = None, **params: Any) -> Any:
        return self.request("PUT", path, json_body=body, params=params)

    def patch(self, path: str, body: Any = None) -> Any:
        return self.request("PATCH", path, json_body=body)


def connect(service: str) -> ServiceClient:
    """Return a client for `service` using the token from CROSSDOCK_TOKEN."""
    return ServiceClient(service, read_token())
