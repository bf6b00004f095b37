"""Periodic jobs that run on one replica at a time and never more often than their interval.

A job runs under a session advisory lock named after it, taken with
`pg_try_advisory_lock` on a pool connection: a replica that cannot take the lock
skips the round. `job_runs.last_started_at` is shared by all replicas, so the
minimum interval between two starts holds across replicas too, which matters
for marketplace calls with call-frequency limits.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

import asyncpg

logger = logging.getLogger(__name__)


async def run_exclusive(
    pool: asyncpg.Pool, job: str, work: Callable[[], Awaitable[None]], *, min_interval: timedelta = timedelta(0)
) -> bool:
    """Run `work` unless another replica runs `job` or it started less than `min_interval` ago.

    Return True when `work` ran (whether it succeeded or raised; a failure is
    recorded in `job_runs` and raised again).
    """
    async with pool.acquire() as connection:
        if not await connection.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", f"crossdock.job.{job}"):
            return False
        try:
            due = await connection.fetchval(
                "INSERT INTO job_runs (job, last_started_at, runs) VALUES ($1, now(), 1) "
                "ON CONFLICT (job) DO UPDATE SET last_started_at = now(), runs = job_runs.runs + 1 "
                "WHERE job_runs.last_started_at IS NULL OR job_runs.last_started_at <= now() - $2::interval "
                "RETURNING true",
                job,
                min_interval,
            )
            if not due:
                return False
            try:
                await work()
            except Exception as error:
                await connection.execute(
                    "UPDATE job_runs SET last_finished_at = now(), last_status = 'failed', last_error = $2 WHERE job = $1",
                    job,
                    f"{type(error).__name__}: {error}"[:2000],
                )
                raise
            await connection.execute(
                "UPDATE job_runs SET last_finished_at = now(), last_status = 'succeeded', last_error = NULL WHERE job = $1",
                job,
            )
            return True
        finally:
            await connection.execute("SELECT pg_advisory_unlock(hashtext($1))", f"crossdock.job.{job}")


class PeriodicJob:
    """Calls `run_exclusive` for one job every `interval` until stopped."""

    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        name: str,
        work: Callable[[], Awaitable[None]],
        interval: timedelta,
        min_interval: timedelta | None = None,
    ) -> None:
        self.pool = pool
        self.name = name
        self.work = work
        self.interval = interval
        self.min_interval = interval if min_interval is None else min_interval
        self._stopping = asyncio.Event()
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name=f"job-{self.name}")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                await run_exclusive(self.pool, self.name, self.work, min_interval=self.min_interval)
            except Exception:
                logger.exception("periodic job failed", extra={"job": self.name})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self.interval.total_seconds())
