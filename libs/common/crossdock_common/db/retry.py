"""Run a transaction again when PostgreSQL aborted it for a deadlock or a serialization failure.

Both errors mean the server rolled the whole transaction back, so running it
again from the start repeats nothing that was kept. A request
that writes many rows, such as a stock import, can meet a consumer's
transaction on the same rows in another order. Without a retry the caller
would get a 500 for what is a routine conflict.
"""

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential

logger = logging.getLogger(__name__)
T = TypeVar("T")
RETRYABLE = (asyncpg.DeadlockDetectedError, asyncpg.SerializationError)


async def run_in_transaction(
    pool: asyncpg.Pool, work: Callable[[asyncpg.Connection], Awaitable[T]], *, attempts: int = 4
) -> T:
    """Call `work(connection)` inside a transaction, starting over on a deadlock or serialization failure.

    `work` must do nothing outside the database that it cannot repeat, because
    an aborted attempt runs again from the start. The last error is raised
    after `attempts` tries.
    """
    async for attempt in AsyncRetrying(
        retry=retry_if_exception_type(RETRYABLE),
        stop=stop_after_attempt(attempts),
        wait=wait_random_exponential(multiplier=0.05, max=1.0),
        reraise=True,
        before_sleep=lambda state: logger.warning(
            "transaction aborted by PostgreSQL, trying again",
            extra={"attempt": state.attempt_number, "error": str(state.outcome.exception())},
        ),
    ):
        with attempt:
            async with pool.acquire() as connection, connection.transaction():
                return await work(connection)
    raise AssertionError("unreachable: AsyncRetrying either returns or raises")
