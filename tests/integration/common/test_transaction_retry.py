"""run_in_transaction: a transaction that PostgreSQL aborts for a deadlock runs again and commits."""

import asyncio

import asyncpg
import pytest
from crossdock_common.db.retry import run_in_transaction

pytestmark = pytest.mark.postgres


async def test_deadlock_victim_runs_again_and_both_commit(pool):
    async with pool.acquire() as connection:
        await connection.execute("CREATE TABLE counters (name text PRIMARY KEY, value int NOT NULL)")
        await connection.execute("INSERT INTO counters VALUES ('a', 0), ('b', 0)")
    both_hold_first_lock = asyncio.Barrier(2)
    attempts = {"forward": 0, "backward": 0}

    def transfer(name: str, first: str, second: str):
        async def work(connection: asyncpg.Connection) -> None:
            attempts[name] += 1
            await connection.execute("UPDATE counters SET value = value + 1 WHERE name = $1", first)
            if attempts[name] == 1:
                # Each locks one row and then requests the other's, so PostgreSQL aborts one of them.
                await both_hold_first_lock.wait()
            await connection.execute("UPDATE counters SET value = value + 1 WHERE name = $1", second)

        return work

    await asyncio.gather(
        run_in_transaction(pool, transfer("forward", "a", "b")),
        run_in_transaction(pool, transfer("backward", "b", "a")),
    )

    async with pool.acquire() as connection:
        values = dict(await connection.fetch("SELECT name, value FROM counters"))
    assert values == {"a": 2, "b": 2}
    assert sorted(attempts.values()) == [1, 2]


async def test_other_errors_are_raised_at_once(pool):
    calls = []

    async def work(connection: asyncpg.Connection) -> None:
        calls.append(1)
        await connection.execute("SELECT * FROM no_such_table")

    with pytest.raises(asyncpg.UndefinedTableError):
        await run_in_transaction(pool, work)
    assert calls == [1]


async def test_last_deadlock_is_raised_after_the_attempts(pool):
    calls = []

    async def work(connection: asyncpg.Connection) -> None:
        calls.append(1)
        raise asyncpg.DeadlockDetectedError("deadlock detected")

    with pytest.raises(asyncpg.DeadlockDetectedError):
        await run_in_transaction(pool, work, attempts=3)
    assert len(calls) == 3
