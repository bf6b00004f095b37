"""Bodies of the HTTP-3PL contract: shipping requests, cancellations and shipments.

Integers are strict (JSON `3.0` or `"3"` is not a quantity) and strings are
kept exactly as sent, because SKUs and line ids match byte for byte. Unknown
fields are ignored, so the hub can add optional fields without breaking a 3PL.
"""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from crossdock_sandbox.threepl.countries import ISO_3166_ALPHA_2

# Path-safe, because request ids appear in the cancel URL.
REQUEST_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"

Quantity = Annotated[int, Field(strict=True, gt=0, description="Units, a positive integer.")]
Text = Annotated[str, Field(min_length=1, max_length=255, pattern=r"\S")]
Identifier = Annotated[str, Field(min_length=1, max_length=128)]


class ServiceLevel(StrEnum):
    """Delivery speed the hub requests; the 3PL picks the carrier service that meets it."""

    ECONOMY = "economy"
    STANDARD = "standard"
    EXPRESS = "express"


class LabelFormat(StrEnum):
    """File format of a channel-provided shipping label."""

    PDF = "pdf"
    ZPL = "zpl"
    PNG = "png"


class OrderRef(BaseModel):
    """The channel order a shipping request fulfils."""

    channel: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$", examples=["mirakl", "tiktok_shop"])
    external_order_id: Identifier


class ShipTo(BaseModel):
    """Delivery address and contact of the buyer."""

    name: Text
    address_lines: list[Text] = Field(min_length=1, max_length=4)
    city: Text
    region: Text | None = None
    postal_code: Annotated[str, Field(min_length=1, max_length=32)] | None
    country: str
    phone: Annotated[str, Field(min_length=1, max_length=40)] | None

    @field_validator("country")
    @classmethod
    def check_country(cls, value: str) -> str:
        if value not in ISO_3166_ALPHA_2:
            raise ValueError(
                f"{value!r} is not an ISO 3166-1 alpha-2 country code; use upper case, such as 'FR', 'GB' or 'US'"
            )
        return value


class ShippingRequestLine(BaseModel):
    """One order line to ship: the hub's line id, the master SKU and the units ordered."""

    line_id: Identifier
    sku: Annotated[str, Field(min_length=1, max_length=255)]
    quantity: Quantity


class Label(BaseModel):
    """A shipping document the channel issued, which the 3PL prints instead of buying its own."""

    document_url: Annotated[str, Field(min_length=1, max_length=2048, pattern=r"^https?://")]
    format: LabelFormat
    carrier: Text | None = None
    tracking_number: Identifier | None = None


class ShippingRequest(BaseModel):
    """Body of `POST {url}/shipping-requests`, sent by the hub."""

    request_id: str = Field(pattern=REQUEST_ID_PATTERN)
    order_ref: OrderRef
    ship_to: ShipTo
    lines: list[ShippingRequestLine] = Field(min_length=1, max_length=500)
    service_level: ServiceLevel
    label: Label | None

    @field_validator("lines")
    @classmethod
    def check_unique_line_ids(cls, lines: list[ShippingRequestLine]) -> list[ShippingRequestLine]:
        seen: set[str] = set()
        for line in lines:
            if line.line_id in seen:
                raise ValueError(f"line_id {line.line_id!r} appears twice; each line needs its own line_id")
            seen.add(line.line_id)
        return lines


class Acknowledgement(BaseModel):
    """Body of the 202 response to a shipping request; a repeat of the request gets the same body."""

    request_id: str
    status: str = "accepted"
    received_at: datetime


class Cancellation(BaseModel):
    """Optional body of `POST {url}/shipping-requests/{request_id}/cancel`."""

    model_config = ConfigDict(extra="ignore")

    reason: Annotated[str, Field(max_length=500)] | None = None


class CancellationResult(BaseModel):
    """Body of the 200 response to a cancellation."""

    request_id: str
    status: str = "cancelled"
    cancelled_at: datetime


class ShipmentLine(BaseModel):
    """Units of one request line inside one package."""

    line_id: Identifier
    quantity: Quantity


class Shipment(BaseModel):
    """Body of `POST /v1/3pl/{integration_id}/shipments`, sent by the 3PL once per package."""

    request_id: str = Field(pattern=REQUEST_ID_PATTERN)
    shipment_id: Identifier
    lines: list[ShipmentLine] = Field(min_length=1)
    carrier: Text
    tracking_number: Identifier
    tracking_url: Annotated[str, Field(pattern=r"^https?://")] | None
    shipped_at: AwareDatetime
