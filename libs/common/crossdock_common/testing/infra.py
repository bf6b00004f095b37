"""Find the Kafka broker and PostgreSQL server that tests run against.

Resolution order, for each server separately:

1. the environment (`KAFKA_BOOTSTRAP_SERVERS`, `DATABASE_URL`), checked for
   reachability so that a wrong address fails with that address in the message;
2. testcontainers, when a Docker engine responds to a ping;
3. the local servers of `deploy/local` (`crossdock_localinfra`), started if needed.

Every path that was tried is recorded, so a failure says what was tried and why
each path did not give a server.
"""

import asyncio
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


class InfraUnavailable(RuntimeError):
    """No path gave a reachable server; the message lists each path tried and its reason."""


@dataclass
class Resolution:
    """The address of a server and the path that produced it."""

    address: str
    path: str
    attempts: list[str] = field(default_factory=list)
    handle: Any = None


@dataclass(kw_only=True)
class Resolver:
    """Resolve one kind of server; each step is injectable so the order can be unit-tested."""

    kind: str
    env_var: str
    check: Callable[[str], None]
    docker_available: Callable[[], tuple[bool, str]]
    start_container: Callable[[], tuple[str, Any]]
    start_local: Callable[[], str]

    def resolve(self, environ: Mapping[str, str]) -> Resolution:
        attempts: list[str] = []

        configured = environ.get(self.env_var)
        if configured:
            try:
                self.check(configured)
            except Exception as error:
                raise InfraUnavailable(
                    f"{self.kind}: {self.env_var}={configured} is set but that server is unreachable: "
                    f"{type(error).__name__}: {error}. Fix the address or unset {self.env_var} "
                    "to use testcontainers or the local servers."
                ) from error
            return Resolution(address=configured, path="environment", attempts=[f"{self.env_var}={configured}"])
        attempts.append(f"environment: {self.env_var} is not set")

        docker_ok, docker_reason = self.docker_available()
        if docker_ok:
            try:
                address, handle = self.start_container()
                self.check(address)
                return Resolution(address=address, path="testcontainers", attempts=attempts, handle=handle)
            except Exception as error:
                attempts.append(f"testcontainers: {type(error).__name__}: {error}")
        else:
            attempts.append(f"testcontainers: {docker_reason}")

        try:
            address = self.start_local()
            self.check(address)
            return Resolution(address=address, path="local", attempts=attempts)
        except Exception as error:
            attempts.append(f"local servers (deploy/local): {type(error).__name__}: {error}")

        raise InfraUnavailable(f"no {self.kind} server available; tried:\n  - " + "\n  - ".join(attempts))


def docker_available() -> tuple[bool, str]:
    """Ping the Docker engine; return (True, "") or (False, why not)."""
    try:
        import docker
    except ImportError:
        return False, "the docker package is not installed"
    try:
        client = docker.from_env(timeout=3)
        client.ping()
        client.close()
    except Exception as error:
        return False, f"no Docker engine answered ({type(error).__name__}: {error})"
    return True, ""


def check_kafka(bootstrap_servers: str) -> None:
    """Raise unless a metadata request to `bootstrap_servers` succeeds within 10 s."""
    from crossdock_localinfra.kafka import metadata_request

    asyncio.run(metadata_request(bootstrap_servers, timeout=10.0))


def check_postgres(dsn: str) -> None:
    """Raise unless `SELECT 1` succeeds on `dsn` within 10 s."""
    import asyncpg

    async def probe() -> None:
        connection = await asyncpg.connect(dsn, timeout=10)
        try:
            await connection.fetchval("SELECT 1")
        finally:
            await connection.close()

    asyncio.run(probe())


def start_kafka_container() -> tuple[str, Any]:
    # NOTE: this branch needs a Docker engine and has not run on the project's
    # machines, which have none; the resolution order around it is unit-tested.
    from testcontainers.community.kafka import KafkaContainer

    container = KafkaContainer().with_kraft()
    container.start()
    return container.get_bootstrap_server(), container


def start_postgres_container() -> tuple[str, Any]:
    from testcontainers.community.postgres import PostgresContainer

    container = PostgresContainer("postgres:15", driver=None)
    container.start()
    return container.get_connection_url(), container


def start_local_kafka() -> str:
    from crossdock_localinfra import LocalKafka

    kafka = LocalKafka()
    kafka.up()
    return kafka.bootstrap_servers


def start_local_postgres() -> str:
    from crossdock_localinfra import LocalPostgres

    postgres = LocalPostgres()
    postgres.up()
    return postgres.dsn


def kafka_resolver() -> Resolver:
    return Resolver(
        kind="Kafka",
        env_var="KAFKA_BOOTSTRAP_SERVERS",
        check=check_kafka,
        docker_available=docker_available,
        start_container=start_kafka_container,
        start_local=start_local_kafka,
    )


def postgres_resolver() -> Resolver:
    return Resolver(
        kind="PostgreSQL",
        env_var="DATABASE_URL",
        check=check_postgres,
        docker_available=docker_available,
        start_container=start_postgres_container,
        start_local=start_local_postgres,
    )


def resolve_kafka(environ: Mapping[str, str] | None = None) -> Resolution:
    return kafka_resolver().resolve(os.environ if environ is None else environ)


def resolve_postgres(environ: Mapping[str, str] | None = None) -> Resolution:
    return postgres_resolver().resolve(os.environ if environ is None else environ)
