"""An httpx client for marketplace APIs: timeouts, retries with backoff, Retry-After, rate limits.

Retries use tenacity: exponential backoff with jitter on 5xx and network
errors, up to `max_attempts`; a 429 waits `Retry-After` (or the backoff when
absent) and does not use an attempt, bounded separately by
`max_rate_limit_waits`. A caller that must sign each attempt (fresh timestamp)
passes `build_request`, which is called again for every attempt.

Each client belongs to one integration and holds its own concurrency limit and
request rate, so one busy integration cannot starve the others. Logs carry the
method, host and path, never the query string or headers, which may hold keys.
"""

import asyncio
import functools
import logging
import random
import ssl
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from aiolimiter import AsyncLimiter
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception

from crossdock_common.http.errors import (
    ClientError,
    HttpStatusError,
    NetworkError,
    RateLimitedError,
    RetriesExhaustedError,
    ServerError,
    parse_retry_after,
)

logger = logging.getLogger(__name__)

ResponseCheck = Callable[[httpx.Response], ClientError | None]
RequestBuilder = Callable[[], httpx.Request | Awaitable[httpx.Request]]


def default_check(response: httpx.Response) -> ClientError | None:
    """Map an HTTP status to an error: 429 rate limited, 5xx server error, other 4xx permanent."""
    status = response.status_code
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return RateLimitedError(
            f"rate limited (429) by {response.request.url.host}", retry_after=retry_after, body=response.text[:2000]
        )
    if status >= 500:
        return ServerError(f"{status} from {_where(response.request)}", status_code=status, body=response.text[:2000])
    if status >= 400:
        return HttpStatusError(
            f"{status} from {_where(response.request)}", status_code=status, body=response.text[:2000]
        )
    return None


@functools.cache
def default_ssl_context() -> ssl.SSLContext:
    """Return one certificate-verifying SSL context shared by every client of the process.

    Building a context loads the CA bundle. With a client made per 3PL request
    or per job run, that cost more CPU than the request itself: the order
    ingest benchmark's py-spy profile put 63 % of order routing's samples
    there. One context may serve many connections.
    """
    return httpx.create_ssl_context()


def _where(request: httpx.Request) -> str:
    return f"{request.method} {request.url.host}{request.url.path}"


class MarketplaceHttpClient:
    """Sends requests for one integration with retries and limits."""

    def __init__(
        self,
        *,
        base_url: str,
        integration_id: str,
        timeout: float = 30.0,
        max_attempts: int = 5,
        max_rate_limit_waits: int = 20,
        backoff_initial: float = 0.5,
        backoff_max: float = 30.0,
        max_concurrency: int = 4,
        requests_per_second: float | None = None,
        headers: dict[str, str] | None = None,
        check: ResponseCheck = default_check,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {max_attempts}")
        if max_concurrency < 1:
            raise ValueError(f"max_concurrency must be at least 1, got {max_concurrency}")
        if requests_per_second is not None and requests_per_second <= 0:
            raise ValueError(f"requests_per_second must be positive, got {requests_per_second}")
        self.integration_id = integration_id
        self.max_attempts = max_attempts
        self.max_rate_limit_waits = max_rate_limit_waits
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.check = check
        self._sleep = sleep
        self._jitter = jitter
        self._concurrency = asyncio.Semaphore(max_concurrency)
        self._limiter = AsyncLimiter(requests_per_second, 1.0) if requests_per_second else None
        self._http = httpx.AsyncClient(
            base_url=base_url, timeout=timeout, headers=headers, transport=transport, verify=default_ssl_context()
        )

    @property
    def http(self) -> httpx.AsyncClient:
        return self._http

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> "MarketplaceHttpClient":
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send `method url` (httpx keyword arguments) with retries; return the successful response."""
        return await self.send(lambda: self._http.build_request(method, url, **kwargs))

    async def send(self, build_request: RequestBuilder) -> httpx.Response:
        """Send the request that `build_request` makes, building it again for each attempt."""
        attempts = 0
        rate_limit_waits = 0

        # tenacity evaluates `retry`, then `wait`, then `stop` after each failed
        # attempt, so the counting happens in `retry` and the others read it.
        def should_retry(error: BaseException) -> bool:
            nonlocal attempts, rate_limit_waits
            if isinstance(error, ClientError) and not error.counts_as_attempt:
                rate_limit_waits += 1
            else:
                attempts += 1
            return isinstance(error, ClientError) and error.retriable

        def stop(_state: RetryCallState) -> bool:
            return attempts >= self.max_attempts or rate_limit_waits > self.max_rate_limit_waits

        def wait(state: RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome else None
            retry_after = getattr(error, "retry_after", None)
            if retry_after is not None:
                return float(retry_after)
            exponent = max(attempts - 1, 0)
            ceiling = min(self.backoff_initial * 2**exponent, self.backoff_max)
            return ceiling / 2 + self._jitter() * ceiling / 2

        def before_sleep(state: RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome else None
            logger.warning(
                "marketplace call failed, retrying in %.2f s: %s",
                state.next_action.sleep if state.next_action else 0.0,
                error,
                extra={
                    "integration_id": self.integration_id,
                    "attempt": attempts,
                    "rate_limit_waits": rate_limit_waits,
                },
            )

        retrying = AsyncRetrying(
            retry=retry_if_exception(should_retry),
            stop=stop,
            wait=wait,
            sleep=self._sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._attempt(build_request)
        except ClientError as error:
            if error.retriable:
                raise RetriesExhaustedError(
                    f"gave up after {attempts} attempts and {rate_limit_waits} rate-limit waits: {error}",
                    last_error=error,
                ) from error
            raise
        raise AssertionError("unreachable: tenacity either returns or raises")

    async def _attempt(self, build_request: RequestBuilder) -> httpx.Response:
        async with self._concurrency:
            if self._limiter is not None:
                await self._limiter.acquire()
            built = build_request()
            request = await built if asyncio.iscoroutine(built) else built
            try:
                response = await self._http.send(request)
            except httpx.TimeoutException as error:
                raise NetworkError(f"timed out: {_where(request)} ({type(error).__name__})") from None
            except httpx.TransportError as error:
                raise NetworkError(f"network error: {_where(request)}: {type(error).__name__}: {error}") from None
        error = self.check(response)
        if error is not None:
            raise error
        return response
