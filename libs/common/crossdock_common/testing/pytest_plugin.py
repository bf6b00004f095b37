"""Session fixtures `kafka_bootstrap` and `postgres_dsn`, plus a fresh database per test.

Enable with `pytest_plugins = ["crossdock_common.testing.pytest_plugin"]`.
"""

import asyncio
import uuid
from collections.abc import Iterator

import pytest

from crossdock_common.testing.infra import InfraUnavailable, resolve_kafka, resolve_postgres


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """Bootstrap servers of a reachable Kafka broker (environment, testcontainers or local)."""
    try:
        resolution = resolve_kafka()
    except InfraUnavailable as error:
        pytest.fail(str(error), pytrace=False)
    yield resolution.address
    if resolution.handle is not None:
        resolution.handle.stop()


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """DSN of a reachable PostgreSQL server (environment, testcontainers or local)."""
    try:
        resolution = resolve_postgres()
    except InfraUnavailable as error:
        pytest.fail(str(error), pytrace=False)
    yield resolution.address
    if resolution.handle is not None:
        resolution.handle.stop()


@pytest.fixture
def database_dsn(postgres_dsn: str) -> Iterator[str]:
    """DSN of a new, empty database on the test server, dropped after the test."""
    import asyncpg

    name = f"test_{uuid.uuid4().hex[:16]}"

    async def admin(statement: str) -> None:
        connection = await asyncpg.connect(postgres_dsn)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    yield _with_database(postgres_dsn, name)
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _with_database(dsn: str, name: str) -> str:
    base, _, query = dsn.partition("?")
    prefix = base.rsplit("/", 1)[0]
    return f"{prefix}/{name}" + (f"?{query}" if query else "")
