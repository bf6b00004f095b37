"""Bodies of the `/_sandbox/` admin endpoints: accounts, shipping plans, faults and manual shipments."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from crossdock_sandbox.threepl.models import ShipmentLine

Seconds = Annotated[float, Field(ge=0, le=3600, description="Seconds, 0 to 3600.")]


class ShippingPlan(BaseModel):
    """Automatic shipping settings of an account, or of one request through an override."""

    model_config = ConfigDict(extra="forbid")

    auto_ship: bool = Field(True, description="Ship without a manual action; when false only `ship` actions ship.")
    ship_delay_seconds: Seconds = Field(1.0, description="Wait between the acknowledgement and the first package.")
    packages: int = Field(1, ge=1, le=50, description="Number of packages each request is split into.")
    package_interval_seconds: Seconds = Field(0.0, description="Wait between two packages of one request.")
    auto_packages: int | None = Field(
        None,
        ge=0,
        description="How many of the packages ship automatically; the rest wait for a `ship` action. Null ships all.",
    )


class AccountConfig(BaseModel):
    """Body of `PUT /_sandbox/accounts/{account_id}`: one 3PL account and where its shipments go."""

    model_config = ConfigDict(extra="forbid")

    secret: str = Field(min_length=1, description="Shared secret that signs requests in both directions.")
    hub_url: str = Field(pattern=r"^https?://", description="Base URL of order routing, e.g. http://127.0.0.1:8103.")
    integration_id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")
    carrier: str | None = Field(
        None, min_length=1, description="Carrier named on shipments; the sandbox default if null."
    )
    tracking_url_template: str | None = Field(
        None,
        pattern=r"^https?://.*\{tracking_number\}",
        description="Tracking URL with a `{tracking_number}` placeholder; the sandbox's own tracking page if null.",
    )
    plan: ShippingPlan | None = Field(None, description="Shipping plan; the sandbox default plan if null.")


class AccountView(BaseModel):
    """An account as the admin API shows it; the secret is never returned."""

    account_id: str
    hub_url: str
    integration_id: str
    shipments_url: str
    carrier: str
    tracking_url_template: str
    plan: ShippingPlan
    request_plans: dict[str, ShippingPlan]
    order_plans: dict[str, ShippingPlan]


class FaultPlan(BaseModel):
    """Failures injected into the hub-facing endpoints of one account; the admin endpoints are not affected."""

    model_config = ConfigDict(extra="forbid")

    mode: Literal["error", "timeout"] | None = Field(
        None, description="`error` responds 500; `timeout` delays the call by `hang_seconds`, then responds 504."
    )
    count: int = Field(0, ge=0, description="How many of the next hub calls fail in `mode`.")
    latency_seconds: Seconds = Field(0.0, description="Delay added to every hub call while this plan is set.")
    hang_seconds: Seconds = Field(30.0, description="How long a `timeout` fault delays the call before its 504.")


class PlanOverride(BaseModel):
    """A shipping plan for one request, chosen by its request_id or its channel order id."""

    model_config = ConfigDict(extra="forbid")

    request_id: str | None = None
    external_order_id: str | None = None
    plan: ShippingPlan

    @model_validator(mode="after")
    def check_one_key(self) -> "PlanOverride":
        if (self.request_id is None) == (self.external_order_id is None):
            raise ValueError("set exactly one of request_id and external_order_id")
        return self


class ShipAction(BaseModel):
    """Body of a manual `ship` action: everything left, or the given lines ("ship partially")."""

    model_config = ConfigDict(extra="forbid")

    lines: list[ShipmentLine] | None = Field(
        None, min_length=1, description="Units to ship per line; null ships every unit still left."
    )
    packages: int = Field(1, ge=1, le=50, description="Number of packages the units are split into.")
    allow_over_ship: bool = Field(
        False,
        description="Ship more than is left, to test the hub's 422 response; the remaining-units check is skipped.",
    )
