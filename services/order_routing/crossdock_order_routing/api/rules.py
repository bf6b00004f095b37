"""Routing rules of an account: ordered, first match wins."""

import uuid
from typing import Annotated

import asyncpg
from crossdock_common.auth.dependencies import Reader, Writer
from crossdock_common.service import not_found
from fastapi import APIRouter, Response, status
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from crossdock_order_routing.api.deps import Runtime
from crossdock_order_routing.domain.countries import normalize_country
from crossdock_order_routing.service_layer.reevaluation import STALLED, reevaluate

router = APIRouter(prefix="/v1/routing-rules", tags=["routing rules"])


class RuleFilters(BaseModel):
    """Filters that select the orders a rule applies to. An empty list accepts every value."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    integration_ids: list[str] = Field(
        default_factory=list, validation_alias=AliasChoices("integration_ids", "integrationIds")
    )
    sku_prefixes: list[Annotated[str, Field(min_length=1)]] = Field(
        default_factory=list,
        validation_alias=AliasChoices("sku_prefixes", "skuPrefixes"),
        description="every line's master SKU must start with one of these (exact case)",
    )
    countries: list[str] = Field(
        default_factory=list, description="ship-to countries: ISO 3166 codes or English names, stored as alpha-2"
    )

    @field_validator("countries")
    @classmethod
    def _normalize_countries(cls, values: list[str]) -> list[str]:
        return sorted({normalize_country(value) for value in values})


class RuleInput(BaseModel):
    """A routing rule as a user writes it."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: Annotated[str, Field(min_length=1, max_length=255)]
    position: int | None = Field(default=None, ge=0, description="lower runs first; default: after the last rule")
    enabled: bool = True
    filters: RuleFilters = Field(default_factory=RuleFilters)
    location_ids: list[Annotated[str, Field(min_length=1)]] = Field(
        min_length=1, validation_alias=AliasChoices("location_ids", "locationIds"), description="in priority order"
    )
    check_inventory: bool = Field(default=False, validation_alias=AliasChoices("check_inventory", "checkInventory"))
    allow_split: bool = Field(default=False, validation_alias=AliasChoices("allow_split", "allowSplit"))

    @field_validator("location_ids")
    @classmethod
    def _unique_locations(cls, values: list[str]) -> list[str]:
        duplicates = sorted({value for value in values if values.count(value) > 1})
        if duplicates:
            raise ValueError(f"location ids {duplicates} appear more than once; list each location once")
        return values


class RuleView(BaseModel):
    rule_id: str
    name: str
    position: int
    enabled: bool
    filters: RuleFilters
    location_ids: list[str]
    check_inventory: bool
    allow_split: bool


def _view(row: asyncpg.Record) -> RuleView:
    return RuleView(
        rule_id=row["rule_id"],
        name=row["name"],
        position=row["position"],
        enabled=row["enabled"],
        filters=RuleFilters(
            integration_ids=list(row["integration_ids"]),
            sku_prefixes=list(row["sku_prefixes"]),
            countries=list(row["countries"]),
        ),
        location_ids=list(row["location_ids"]),
        check_inventory=row["check_inventory"],
        allow_split=row["allow_split"],
    )


async def _save(connection: asyncpg.Connection, account_id: str, rule_id: str, body: RuleInput) -> asyncpg.Record:
    position = body.position
    if position is None:
        position = await connection.fetchval(
            "SELECT coalesce(max(position) + 10, 10) FROM routing_rules WHERE account_id = $1", account_id
        )
    return await connection.fetchrow(
        "INSERT INTO routing_rules (account_id, rule_id, name, position, enabled, integration_ids, sku_prefixes, "
        "countries, location_ids, check_inventory, allow_split) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
        "ON CONFLICT (account_id, rule_id) DO UPDATE SET name = EXCLUDED.name, position = EXCLUDED.position, "
        "enabled = EXCLUDED.enabled, integration_ids = EXCLUDED.integration_ids, sku_prefixes = EXCLUDED.sku_prefixes, "
        "countries = EXCLUDED.countries, location_ids = EXCLUDED.location_ids, "
        "check_inventory = EXCLUDED.check_inventory, allow_split = EXCLUDED.allow_split, updated_at = now() "
        "RETURNING *",
        account_id,
        rule_id,
        body.name,
        position,
        body.enabled,
        body.filters.integration_ids,
        body.filters.sku_prefixes,
        body.filters.countries,
        body.location_ids,
        body.check_inventory,
        body.allow_split,
    )


@router.get("", response_model=list[RuleView])
async def list_rules(principal: Reader, runtime: Runtime) -> list[RuleView]:
    """List the account's rules in the order they are tried."""
    async with runtime.pool.acquire() as connection:
        rows = await connection.fetch(
            "SELECT * FROM routing_rules WHERE account_id = $1 ORDER BY position, rule_id", principal.account_id
        )
    return [_view(row) for row in rows]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=RuleView)
async def create_rule(body: RuleInput, principal: Writer, runtime: Runtime) -> RuleView:
    """Add a rule; stalled orders of the account are evaluated again with it."""
    async with runtime.pool.acquire() as connection, connection.transaction():
        row = await _save(connection, principal.account_id, f"rule-{uuid.uuid4().hex[:12]}", body)
        await reevaluate(runtime, connection, account_id=principal.account_id, where=STALLED)
    return _view(row)


@router.put("/{rule_id}", response_model=RuleView)
async def replace_rule(rule_id: str, body: RuleInput, principal: Writer, runtime: Runtime) -> RuleView:
    """Replace a rule; stalled orders of the account are evaluated again."""
    async with runtime.pool.acquire() as connection, connection.transaction():
        exists = await connection.fetchval(
            "SELECT 1 FROM routing_rules WHERE account_id = $1 AND rule_id = $2", principal.account_id, rule_id
        )
        if exists is None:
            raise not_found("routing rule", rule_id)
        row = await _save(connection, principal.account_id, rule_id, body)
        await reevaluate(runtime, connection, account_id=principal.account_id, where=STALLED)
    return _view(row)


@router.delete("/{rule_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_rule(rule_id: str, principal: Writer, runtime: Runtime) -> Response:
    """Delete a rule."""
    async with runtime.pool.acquire() as connection:
        deleted = await connection.fetchval(
            "DELETE FROM routing_rules WHERE account_id = $1 AND rule_id = $2 RETURNING 1",
            principal.account_id,
            rule_id,
        )
    if deleted is None:
        raise not_found("routing rule", rule_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
