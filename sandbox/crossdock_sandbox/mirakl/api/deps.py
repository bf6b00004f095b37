"""Dependency aliases shared by the seller API routers."""

from typing import Annotated

from fastapi import Depends

from crossdock_sandbox.mirakl.auth import ShopContext, get_store, shop_operation
from crossdock_sandbox.mirakl.errors import bad_request
from crossdock_sandbox.mirakl.store import SandboxStore

Store = Annotated[SandboxStore, Depends(get_store)]


def caller(operation: str):
    """Return an `Annotated` dependency that authenticates and rate-limits `operation`."""
    return Annotated[ShopContext, Depends(shop_operation(operation))]


def parse_int(raw: str | None, *, name: str, default: int, minimum: int = 0, maximum: int | None = None) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"The parameter {name} must be a whole number, got '{raw}'.") from None
    if value < minimum:
        raise bad_request(f"The parameter {name} must be at least {minimum}, got {value}.")
    if maximum is not None and value > maximum:
        raise bad_request(f"The parameter {name} must be at most {maximum}, got {value}.")
    return value


def parse_bool(raw: str | None, *, name: str) -> bool | None:
    if raw is None or raw == "":
        return None
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    raise bad_request(f"The parameter {name} must be true or false, got '{raw}'.")
