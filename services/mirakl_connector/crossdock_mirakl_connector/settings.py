"""Environment settings of the Mirakl connector service."""

from crossdock_common.settings import ServiceSettings
from pydantic import AliasChoices, Field


class MiraklConnectorSettings(ServiceSettings):
    """Options of the mirakl_connector service, on top of the options every service reads."""

    worker_tick_seconds: float = Field(
        default=1.0,
        gt=0,
        validation_alias=AliasChoices("CROSSDOCK_MIRAKL_WORKER_TICK_SECONDS"),
        description="seconds between two checks for due jobs (polls keep their own minimum intervals)",
    )
    worker_enabled: bool = Field(
        default=True,
        validation_alias=AliasChoices("CROSSDOCK_MIRAKL_WORKER_ENABLED"),
        description="run the background jobs (order pull, accept, stock push, fulfillments) in this process",
    )
    orders_page_size: int = Field(
        default=100,
        ge=1,
        le=100,
        validation_alias=AliasChoices("CROSSDOCK_MIRAKL_ORDERS_PAGE_SIZE"),
        description="OR11 `max` per page; Mirakl allows 1 to 100",
    )
    orders_overlap_seconds: float = Field(
        default=300,
        ge=0,
        validation_alias=AliasChoices("CROSSDOCK_MIRAKL_ORDERS_OVERLAP_SECONDS"),
        description="seconds subtracted from the order cursor on each pull, so late-visible orders are not missed",
    )
    http_max_attempts: int = Field(
        default=5,
        ge=1,
        validation_alias=AliasChoices("CROSSDOCK_MIRAKL_HTTP_MAX_ATTEMPTS"),
        description="attempts of one Mirakl call on 5xx and network errors (429 waits do not count)",
    )
    http_backoff_seconds: float = Field(
        default=0.5,
        gt=0,
        validation_alias=AliasChoices("CROSSDOCK_MIRAKL_HTTP_BACKOFF_SECONDS"),
        description="first backoff delay of a failed Mirakl call, doubled on each attempt",
    )
    http_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        validation_alias=AliasChoices("CROSSDOCK_MIRAKL_HTTP_TIMEOUT_SECONDS"),
        description="timeout of one Mirakl request",
    )
    retry_delay_seconds: float = Field(
        default=30.0,
        ge=0,
        validation_alias=AliasChoices("CROSSDOCK_MIRAKL_RETRY_DELAY_SECONDS"),
        description="first delay before a failed accept, cancel or fulfillment push is tried again, doubled each time",
    )
    max_action_attempts: int = Field(
        default=8,
        ge=1,
        validation_alias=AliasChoices("CROSSDOCK_MIRAKL_MAX_ACTION_ATTEMPTS"),
        description="attempts of an accept, refuse, cancel or fulfillment push before it is marked failed",
    )
