"""Versioned SQL migrations applied at startup inside one service's schema.

Files are named `NNNN_description.sql` and applied in order, each in its own
transaction, and recorded in `<schema>.schema_migrations` with a checksum. A
session-level advisory lock keyed by the schema serializes replicas that start
together, so each file runs once. Changing an applied file is an error: write a
new migration instead.

The library's own tables (outbox, processed events, job runs) come first, from
`crossdock_common/db/migrations/`, recorded with a `common:` prefix.
"""

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from crossdock_common.db.pool import validate_schema_name

logger = logging.getLogger(__name__)

COMMON_MIGRATIONS = Path(__file__).parent / "migrations"


class MigrationError(RuntimeError):
    """A migration failed, or an applied migration file was changed afterwards."""


@dataclass(frozen=True)
class Migration:
    version: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text()

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def discover(directory: Path, *, prefix: str) -> list[Migration]:
    """List the `NNNN_*.sql` files of `directory`, in order."""
    migrations = []
    for path in sorted(directory.glob("*.sql")):
        number = path.name.split("_", 1)[0]
        if not number.isdigit():
            raise MigrationError(f"migration file {path} must start with a number, e.g. 0001_create_orders.sql")
        migrations.append(Migration(version=f"{prefix}{path.stem}", path=path))
    return migrations


async def apply_migrations(pool: asyncpg.Pool, *, schema: str, directory: Path | None) -> list[str]:
    """Apply the common migrations, then those of `directory`; return the versions applied now."""
    validate_schema_name(schema)
    migrations = discover(COMMON_MIGRATIONS, prefix="common:")
    if directory is not None:
        migrations += discover(directory, prefix="")

    applied_now: list[str] = []
    async with pool.acquire() as connection:
        lock_key = f"crossdock.migrations.{schema}"
        await connection.execute("SELECT pg_advisory_lock(hashtext($1))", lock_key)
        try:
            await connection.execute(
                f'CREATE TABLE IF NOT EXISTS "{schema}".schema_migrations ('
                "version text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            rows = await connection.fetch(f'SELECT version, checksum FROM "{schema}".schema_migrations')
            done = {row["version"]: row["checksum"] for row in rows}

            for migration in migrations:
                if migration.version in done:
                    if done[migration.version] != migration.checksum:
                        raise MigrationError(
                            f"migration {migration.version} in schema {schema} changed after it was applied; "
                            "restore the file and add a new migration instead"
                        )
                    continue
                async with connection.transaction():
                    await connection.execute(f'SET LOCAL search_path TO "{schema}"')
                    try:
                        await connection.execute(migration.sql)
                    except asyncpg.PostgresError as error:
                        raise MigrationError(
                            f"migration {migration.version} failed in schema {schema}: {error}"
                        ) from error
                    await connection.execute(
                        f'INSERT INTO "{schema}".schema_migrations (version, checksum) VALUES ($1, $2)',
                        migration.version,
                        migration.checksum,
                    )
                applied_now.append(migration.version)
                logger.info("applied migration", extra={"schema": schema, "migration": migration.version})
        finally:
            await connection.execute("SELECT pg_advisory_unlock(hashtext($1))", lock_key)
    return applied_now
