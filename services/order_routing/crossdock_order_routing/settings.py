"""Environment settings of the order routing service."""

from crossdock_common.settings import ServiceSettings
from pydantic import AliasChoices, Field


class RoutingSettings(ServiceSettings):
    """Options of order routing, on top of the settings every service reads."""

    reevaluate_interval_seconds: float = Field(
        default=30.0,
        gt=0,
        validation_alias=AliasChoices("CROSSDOCK_ROUTING_REEVALUATE_INTERVAL_SECONDS"),
        description="seconds between two re-evaluations of stalled orders and of orders whose hold window ended",
    )
    dispatch_interval_seconds: float = Field(
        default=1.0,
        gt=0,
        validation_alias=AliasChoices("CROSSDOCK_ROUTING_DISPATCH_INTERVAL_SECONDS"),
        description="seconds between two scans for shipping requests and cancellations to send to 3PLs",
    )
    threepl_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        validation_alias=AliasChoices("CROSSDOCK_ROUTING_3PL_TIMEOUT_SECONDS"),
        description="timeout of one HTTP call to a 3PL, in seconds",
    )
    threepl_attempts: int = Field(
        default=4,
        ge=1,
        validation_alias=AliasChoices("CROSSDOCK_ROUTING_3PL_ATTEMPTS"),
        description="attempts of one call to a 3PL within one dispatch round (5xx and network errors)",
    )
    threepl_backoff_seconds: float = Field(
        default=1.0,
        gt=0,
        validation_alias=AliasChoices("CROSSDOCK_ROUTING_3PL_BACKOFF_SECONDS"),
        description="first backoff wait between attempts of a 3PL call, in seconds; it doubles per attempt",
    )
    dispatch_rounds: int = Field(
        default=10,
        ge=1,
        validation_alias=AliasChoices("CROSSDOCK_ROUTING_DISPATCH_ROUNDS"),
        description="dispatch rounds before a shipping request that the 3PL never acknowledged is marked failed",
    )
    dispatch_round_delay_seconds: float = Field(
        default=60.0,
        gt=0,
        validation_alias=AliasChoices("CROSSDOCK_ROUTING_DISPATCH_ROUND_DELAY_SECONDS"),
        description="seconds between two dispatch rounds of a shipping request the 3PL did not acknowledge",
    )
