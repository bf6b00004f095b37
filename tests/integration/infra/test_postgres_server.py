"""The PostgreSQL server the tests run against is real: transactions commit and roll back."""

import asyncpg
import pytest


async def test_postgres_transaction_commits(database_dsn):
    connection = await asyncpg.connect(database_dsn)
    try:
        await connection.execute("CREATE TABLE sku (code text PRIMARY KEY)")
        async with connection.transaction():
            await connection.execute("INSERT INTO sku VALUES ('ABC-1')")

        assert await connection.fetchval("SELECT count(*) FROM sku") == 1
    finally:
        await connection.close()


async def test_postgres_transaction_rolls_back(database_dsn):
    connection = await asyncpg.connect(database_dsn)
    try:
        await connection.execute("CREATE TABLE sku (code text PRIMARY KEY)")
        with pytest.raises(asyncpg.UniqueViolationError):
            async with connection.transaction():
                await connection.execute("INSERT INTO sku VALUES ('ABC-1')")
                await connection.execute("INSERT INTO sku VALUES ('ABC-1')")

        assert await connection.fetchval("SELECT count(*) FROM sku") == 0
    finally:
        await connection.close()
