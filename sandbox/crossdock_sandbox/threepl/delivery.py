"""Post shipments to the hub, signed, retrying with exponential backoff.

A shipment keeps its shipment_id across every attempt and every manual resend,
because the hub de-duplicates on it. The sandbox retries network errors and
responses with status 408, 425, 429 or 5xx. Any other 4xx is final, since sending the same bytes
again cannot change it (a 422 that names an over-shipped line, a 401 from a
secret mismatch). Any 2xx counts as delivered. Every attempt is recorded in
the journal and on the shipment.
"""

import logging
from datetime import UTC, datetime

import httpx
from crossdock_common.auth.signatures import SIGNATURE_HEADER, sign_body
from tenacity import AsyncRetrying, RetryCallState, retry_if_result, stop_after_attempt, wait_exponential

from crossdock_sandbox.threepl.journal import Journal, decode_body
from crossdock_sandbox.threepl.settings import SandboxSettings
from crossdock_sandbox.threepl.store import Account, DeliveryAttempt, ShipmentRecord

logger = logging.getLogger(__name__)

RETRIABLE_STATUSES = frozenset({408, 425, 429})


class ShipmentPoster:
    """Deliver shipment records to the hub of their account."""

    def __init__(self, *, settings: SandboxSettings, journal: Journal, client: httpx.AsyncClient | None = None) -> None:
        self._settings = settings
        self._journal = journal
        self._client = client
        self._owns_client = client is None

    async def deliver(self, account: Account, shipment: ShipmentRecord) -> None:
        """Post `shipment` until the hub accepts it, rejects it for good, or the attempts run out."""
        body = shipment.body.model_dump_json().encode()
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign_body(body, account.secret)}
        base_wait = wait_exponential(
            multiplier=self._settings.retry_initial_seconds, max=self._settings.retry_max_seconds
        )

        def wait(state: RetryCallState) -> float:
            # A Retry-After from the hub lengthens the backoff, up to the maximum wait.
            seconds = base_wait(state)
            last: DeliveryAttempt = state.outcome.result()
            retry_after = _retry_after_seconds(last)
            if retry_after is not None:
                seconds = max(seconds, min(retry_after, self._settings.retry_max_seconds))
            return seconds

        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._settings.post_attempts),
            wait=wait,
            retry=retry_if_result(_is_retriable),
            retry_error_callback=lambda state: state.outcome.result(),
        )
        last = await retrying(self._post_once, account, shipment, body, headers)

        shipment.delivery = _delivery_status(last)
        if shipment.delivery != "delivered":
            logger.warning(
                "shipment %s of request %s for account %s not delivered after %d attempts: %s",
                shipment.body.shipment_id,
                shipment.body.request_id,
                account.account_id,
                last.attempt,
                last.error or f"HTTP {last.status_code}",
            )

    async def aclose(self) -> None:
        if self._client is not None and self._owns_client:
            await self._client.aclose()
        self._client = None

    async def _post_once(
        self, account: Account, shipment: ShipmentRecord, body: bytes, headers: dict[str, str]
    ) -> DeliveryAttempt:
        number = len(shipment.attempts) + 1
        status_code: int | None = None
        response_body: object | None = None
        error: str | None = None
        retry_after: str | None = None

        try:
            response = await self._http().post(account.shipments_url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        else:
            status_code = response.status_code
            response_body = decode_body(response.content)
            retry_after = response.headers.get("Retry-After")

        attempt = DeliveryAttempt(
            attempt=number,
            at=datetime.now(UTC),
            status_code=status_code,
            response_body=response_body,
            error=error,
            retry_after=retry_after,
        )
        shipment.attempts.append(attempt)
        self._journal.record(
            direction="sent",
            account_id=account.account_id,
            method="POST",
            url=account.shipments_url,
            request_id=shipment.body.request_id,
            shipment_id=shipment.body.shipment_id,
            attempt=number,
            signature=headers[SIGNATURE_HEADER],
            request_body=decode_body(body),
            status_code=status_code,
            response_body=response_body,
            error=error,
        )
        if _is_retriable(attempt):
            logger.info(
                "shipment %s attempt %d failed (%s); retrying unless attempts are used up",
                shipment.body.shipment_id,
                number,
                error or f"HTTP {status_code}",
            )
        return attempt

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._settings.post_timeout_seconds)
            self._owns_client = True
        return self._client


def _is_retriable(attempt: DeliveryAttempt) -> bool:
    if attempt.error is not None:
        return True
    status = attempt.status_code or 0
    return status in RETRIABLE_STATUSES or status >= 500


def _delivery_status(attempt: DeliveryAttempt) -> str:
    if attempt.status_code is not None and 200 <= attempt.status_code < 300:
        return "delivered"
    if _is_retriable(attempt):
        return "failed"
    return "rejected"


def _retry_after_seconds(attempt: DeliveryAttempt) -> float | None:
    # NOTE: only the delta-seconds form of Retry-After is read; an HTTP date is ignored.
    if attempt.retry_after is None:
        return None
    try:
        return max(float(attempt.retry_after), 0.0)
    except ValueError:
        return None
