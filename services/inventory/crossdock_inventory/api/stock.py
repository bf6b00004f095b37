"""Stock API: levels, absolute set and delta adjust with an idempotency key, CSV import, history."""

import hashlib
import json
from typing import Annotated, Any

import asyncpg
from crossdock_common.auth.dependencies import Reader, Writer
from crossdock_common.db.retry import run_in_transaction
from crossdock_common.service import ProblemError, not_found
from fastapi import APIRouter, Header, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from crossdock_inventory.domain.stock_import import StockImportInvalid, parse_stock_csv
from crossdock_inventory.service_layer.stock import move_stock

router = APIRouter(prefix="/v1/stock", tags=["stock"])

IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="unique per intended change; a replay with the same key and body is applied once",
    ),
]
SkuText = Annotated[str, Field(min_length=1, max_length=200, description="master SKU, matched exactly")]


class StockSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    location_id: Annotated[str, Field(min_length=1)]
    sku: SkuText
    on_hand: Annotated[int, Field(ge=0, description="counted units on hand")]
    reason: str | None = None


class StockAdjust(BaseModel):
    model_config = ConfigDict(extra="forbid")

    location_id: Annotated[str, Field(min_length=1)]
    sku: SkuText
    delta: Annotated[int, Field(description="units to add (positive) or remove (negative)")]
    reason: str | None = None


class StockLevel(BaseModel):
    sku: str
    location_id: str
    on_hand: int
    committed: int
    available: int


class StockChangeResult(StockLevel):
    idempotency_key: str
    replayed: bool = Field(description="true when this key was applied before and nothing changed now")


@router.get("", response_model=list[StockLevel])
async def list_stock(
    principal: Reader,
    request: Request,
    sku: str | None = None,
    location_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    """List stock levels, optionally for one SKU or one location."""
    async with request.app.state.runtime.pool.acquire() as connection:
        rows = await connection.fetch(
            "SELECT sku, location_id, on_hand, committed, greatest(on_hand - committed, 0) AS available "
            "FROM stock_levels WHERE account_id = $1 AND ($2::text IS NULL OR sku = $2) "
            "AND ($3::text IS NULL OR location_id = $3) ORDER BY sku, location_id LIMIT $4",
            principal.account_id,
            sku,
            location_id,
            limit,
        )
    return [dict(row) for row in rows]


@router.post("/set", response_model=StockChangeResult)
async def set_stock(body: StockSet, principal: Writer, request: Request, key: IdempotencyKey) -> dict[str, Any]:
    """Set on hand to a counted quantity."""
    return await _apply_once(
        request, principal.account_id, key, "set", body.model_dump(), set_on_hand=body.on_hand, delta=0
    )


@router.post("/adjust", response_model=StockChangeResult)
async def adjust_stock(body: StockAdjust, principal: Writer, request: Request, key: IdempotencyKey) -> dict[str, Any]:
    """Add or remove units on hand."""
    return await _apply_once(
        request, principal.account_id, key, "adjust", body.model_dump(), set_on_hand=None, delta=body.delta
    )


@router.post(
    "/import",
    openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}, "required": True}},
)
async def import_stock(principal: Writer, request: Request) -> dict[str, Any]:
    """Set on hand from a CSV body (`location_id,sku,on_hand`). Nothing is applied when any row is invalid."""
    raw = await request.body()
    try:
        rows = parse_stock_csv(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ProblemError(
            status=422, title="Invalid CSV", detail="the body is not UTF-8 text; save the CSV as UTF-8"
        ) from None
    except StockImportInvalid as error:
        raise ProblemError(
            status=422,
            title="Invalid CSV",
            detail=f"nothing imported: {error}",
            errors=[{"line": item.line, "message": item.message} for item in error.errors],
        ) from None

    runtime = request.app.state.runtime

    async def apply(connection: asyncpg.Connection) -> None:
        known = {
            row["location_id"]
            for row in await connection.fetch(
                "SELECT location_id FROM locations WHERE account_id = $1 AND location_id = ANY($2::text[])",
                principal.account_id,
                sorted({row.location_id for row in rows}),
            )
        }
        unknown = [row for row in rows if row.location_id not in known]
        if unknown:
            raise ProblemError(
                status=422,
                title="Invalid CSV",
                detail=f"nothing imported: line {unknown[0].line}: location {unknown[0].location_id!r} not found",
                errors=[{"line": row.line, "message": f"location {row.location_id!r} not found"} for row in unknown],
            )
        for row in sorted(rows, key=lambda item: (item.sku, item.location_id)):
            await move_stock(
                connection,
                runtime,
                account_id=principal.account_id,
                sku=row.sku,
                location_id=row.location_id,
                set_on_hand=row.on_hand,
                cause="import",
                reference=None,
                detail=f"import line {row.line}",
            )

    # A long import can deadlock with a consumer marking the same SKUs; PostgreSQL then rolls it back whole.
    await run_in_transaction(runtime.pool, apply)
    return {"imported": len(rows)}


@router.get("/history")
async def stock_history(
    principal: Reader,
    request: Request,
    sku: Annotated[str, Query(min_length=1)],
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    before_id: int | None = None,
) -> list[dict[str, Any]]:
    """List stock movements of one SKU with their cause, newest first. Page with `before_id`."""
    async with request.app.state.runtime.pool.acquire() as connection:
        rows = await connection.fetch(
            "SELECT id, sku, location_id, on_hand_delta, committed_delta, on_hand_after, committed_after, cause, "
            "reference, detail, occurred_at FROM movements WHERE account_id = $1 AND sku = $2 "
            "AND ($3::bigint IS NULL OR id < $3) ORDER BY id DESC LIMIT $4",
            principal.account_id,
            sku,
            before_id,
            limit,
        )
    return [dict(row) for row in rows]


async def _apply_once(
    request: Request,
    account_id: str,
    key: str,
    operation: str,
    body: dict[str, Any],
    *,
    set_on_hand: int | None,
    delta: int,
) -> dict[str, Any]:
    """Apply a stock change once per idempotency key. A replay returns the first response unchanged.

    The key row is inserted first, so a concurrent request with the same key
    waits on the unique index and then reads the stored response.
    """
    runtime = request.app.state.runtime
    request_hash = hashlib.sha256(json.dumps([operation, body], sort_keys=True).encode()).hexdigest()
    async with runtime.pool.acquire() as connection, connection.transaction():
        claimed = await connection.fetchval(
            "INSERT INTO stock_requests (account_id, idempotency_key, request_hash, response) "
            "VALUES ($1, $2, $3, '{}'::jsonb) ON CONFLICT DO NOTHING RETURNING true",
            account_id,
            key,
            request_hash,
        )
        if not claimed:
            stored = await connection.fetchrow(
                "SELECT request_hash, response FROM stock_requests WHERE account_id = $1 AND idempotency_key = $2",
                account_id,
                key,
            )
            if stored["request_hash"] != request_hash:
                raise ProblemError(
                    status=409,
                    title="Idempotency key reused",
                    detail=(
                        f"Idempotency-Key {key!r} was already used for a different stock change; "
                        "send a new key for a new change"
                    ),
                    idempotency_key=key,
                )
            return {**stored["response"], "replayed": True}

        exists = await connection.fetchval(
            "SELECT true FROM locations WHERE account_id = $1 AND location_id = $2", account_id, body["location_id"]
        )
        if not exists:
            raise not_found("location", body["location_id"])
        level = await move_stock(
            connection,
            runtime,
            account_id=account_id,
            sku=body["sku"],
            location_id=body["location_id"],
            set_on_hand=set_on_hand,
            on_hand_delta=delta,
            cause="adjustment",
            reference=key,
            detail=f"{operation} by API" + (f": {body['reason']}" if body.get("reason") else ""),
        )
        response = {**level.to_dict(), "idempotency_key": key}
        await connection.execute(
            "UPDATE stock_requests SET response = $3 WHERE account_id = $1 AND idempotency_key = $2",
            account_id,
            key,
            response,
        )
    return {**response, "replayed": False}
