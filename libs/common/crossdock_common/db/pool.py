"""asyncpg pools whose connections see only their service's schema.

Each connection's `search_path` is the service's schema alone, so unqualified
table names resolve there and a query cannot reach another service's tables by
accident. Sessions run in UTC, and `timestamptz` values must be timezone-aware:
a naive datetime is rejected before it reaches the server instead of being
silently read as UTC.
"""

import json
import re
from datetime import datetime
from decimal import Decimal
from typing import Any

import asyncpg

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class NaiveDatetimeError(TypeError):
    """A datetime without timezone was about to be written to a `timestamptz` column."""


def validate_schema_name(schema: str) -> str:
    """Return `schema` if it is a plain lower-case identifier; raise ValueError naming it otherwise."""
    if not _SCHEMA_NAME.match(schema):
        raise ValueError(f"invalid schema name {schema!r}: use lower-case letters, digits and underscores")
    return schema


def _encode_timestamptz(value: datetime) -> str:
    if not isinstance(value, datetime):
        raise TypeError(f"expected a datetime for a timestamptz value, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(
            f"naive datetime {value.isoformat()} for a timestamptz column; attach a timezone (e.g. UTC) first"
        )
    return value.isoformat()


def _decode_timestamptz(text: str) -> datetime:
    if text in {"infinity", "-infinity"}:
        raise ValueError(f"timestamptz value {text!r} is not supported")
    return datetime.fromisoformat(text)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in JSON")


def encode_json(value: Any) -> str:
    """Serialize for a json/jsonb column: Decimals as strings, NUL characters removed (PostgreSQL rejects them)."""
    text = json.dumps(value, default=_json_default, ensure_ascii=False)
    return text.replace("\\u0000", "")


def decode_json(text: str) -> Any:
    return json.loads(text, parse_float=Decimal)


async def init_connection(connection: asyncpg.Connection) -> None:
    """Install the codecs every crossdock connection uses."""
    await connection.set_type_codec(
        "timestamptz", schema="pg_catalog", encoder=_encode_timestamptz, decoder=_decode_timestamptz, format="text"
    )
    for type_name in ("json", "jsonb"):
        await connection.set_type_codec(
            type_name, schema="pg_catalog", encoder=encode_json, decoder=decode_json, format="text"
        )


async def create_pool(dsn: str, *, schema: str, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    """Open a pool whose connections use only `schema`, creating the schema if needed."""
    validate_schema_name(schema)

    bootstrap = await asyncpg.connect(dsn)
    try:
        await bootstrap.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    except asyncpg.UniqueViolationError:
        pass  # Another replica created it at the same moment.
    finally:
        await bootstrap.close()

    return await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=init_connection,
        server_settings={"search_path": schema, "timezone": "UTC", "application_name": f"crossdock-{schema}"},
    )
