"""Locations API: create, list, change, pause, link to a 3PL or warehouse, exclude from totals."""

from typing import Annotated, Any, Literal

from crossdock_common.auth.dependencies import Reader, Writer
from crossdock_common.events.payloads.common import Address
from crossdock_common.service import ProblemError, not_found
from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from crossdock_inventory.service_layer import locations as service

router = APIRouter(prefix="/v1/locations", tags=["locations"])


class LocationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=200)]
    address: Address | None = None
    status: Literal["active", "paused"] = "active"
    fulfillment_integration_id: str | None = None
    exclude_from_totals: bool = False
    excluded_integration_ids: list[str] = Field(default_factory=list)
    priority: int = 100


class LocationPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    address: Address | None = None
    status: Literal["active", "paused"] | None = None
    exclude_from_totals: bool | None = None
    excluded_integration_ids: list[str] | None = None
    priority: int | None = None


class LinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fulfillment_integration_id: Annotated[str, Field(min_length=1)]


class Location(BaseModel):
    location_id: str
    name: str
    address: dict[str, Any] | None
    source_integration_id: str | None
    external_code: str | None
    status: str
    fulfillment_integration_id: str | None
    exclude_from_totals: bool
    excluded_integration_ids: list[str]
    priority: int


@router.post("", status_code=201, response_model=Location)
async def create_location(body: LocationIn, principal: Writer, request: Request) -> dict[str, Any]:
    """Create a warehouse or 3PL location."""
    runtime = request.app.state.runtime
    fields = body.model_dump(mode="json")
    async with runtime.pool.acquire() as connection, connection.transaction():
        await _check_integrations(connection, principal.account_id, fields)
        return await service.create_location(connection, runtime, principal.account_id, fields)


@router.get("", response_model=list[Location])
async def list_locations(principal: Reader, request: Request) -> list[dict[str, Any]]:
    """List the account's locations, by priority."""
    async with request.app.state.runtime.pool.acquire() as connection:
        return await service.list_locations(connection, principal.account_id)


@router.get("/{location_id}", response_model=Location)
async def get_location(location_id: str, principal: Reader, request: Request) -> dict[str, Any]:
    """Return one location."""
    async with request.app.state.runtime.pool.acquire() as connection:
        location = await service.get_location(connection, principal.account_id, location_id)
    if location is None:
        raise not_found("location", location_id)
    return location


@router.patch("/{location_id}", response_model=Location)
async def update_location(location_id: str, body: LocationPatch, principal: Writer, request: Request) -> dict[str, Any]:
    """Change a location: name, address, status (`active` or `paused`), exclusions from totals, priority."""
    changes = body.model_dump(mode="json", exclude_unset=True)
    nulls = [name for name, value in changes.items() if value is None and name != "address"]
    if nulls:
        raise ProblemError(
            status=422, title="Invalid request", detail=f"{nulls[0]} cannot be null: omit it to keep the current value"
        )
    return await _update(request, principal.account_id, location_id, changes)


@router.put("/{location_id}/link", response_model=Location)
async def link_location(location_id: str, body: LinkIn, principal: Writer, request: Request) -> dict[str, Any]:
    """Link the location to a 3PL or warehouse integration. Order routing retries stalled orders on the event."""
    return await _update(
        request, principal.account_id, location_id, {"fulfillment_integration_id": body.fulfillment_integration_id}
    )


@router.delete("/{location_id}/link", response_model=Location)
async def unlink_location(location_id: str, principal: Writer, request: Request) -> dict[str, Any]:
    """Remove the location's link, so it stops being a routing destination."""
    return await _update(request, principal.account_id, location_id, {"fulfillment_integration_id": None})


async def _update(request: Request, account_id: str, location_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    runtime = request.app.state.runtime
    async with runtime.pool.acquire() as connection, connection.transaction():
        await _check_integrations(connection, account_id, changes)
        location = await service.update_location(connection, runtime, account_id, location_id, changes)
    if location is None:
        raise not_found("location", location_id)
    return location


async def _check_integrations(connection, account_id: str, fields: dict[str, Any]) -> None:
    """Reject a link to an unknown or non-fulfillment integration, and exclusions naming unknown channels."""
    target = fields.get("fulfillment_integration_id")
    if target:
        kind = await connection.fetchval(
            "SELECT type FROM integrations WHERE account_id = $1 AND integration_id = $2 AND NOT deleted",
            account_id,
            target,
        )
        if kind != "http_3pl":
            reason = "is not known to inventory" if kind is None else f"is a {kind} integration, not a 3PL or warehouse"
            raise ProblemError(
                status=422,
                title="Invalid link target",
                detail=(
                    f"fulfillment_integration_id {target!r} {reason}; link to an HTTP-3PL integration created in "
                    "order routing"
                ),
                fulfillment_integration_id=target,
            )

    for integration_id in fields.get("excluded_integration_ids") or []:
        kind = await connection.fetchval(
            "SELECT type FROM integrations WHERE account_id = $1 AND integration_id = $2 AND NOT deleted",
            account_id,
            integration_id,
        )
        if kind not in ("mirakl", "tiktok"):
            raise ProblemError(
                status=422,
                title="Invalid exclusion",
                detail=(
                    f"excluded_integration_ids names {integration_id!r}, which is not a Mirakl or TikTok integration "
                    "known to inventory; use the id of a channel integration"
                ),
                integration_id=integration_id,
            )
