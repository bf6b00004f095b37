"""Environment settings of the inventory service."""

from crossdock_common.settings import ServiceSettings
from pydantic import AliasChoices, Field


class InventorySettings(ServiceSettings):
    """Options of the inventory service on top of those every service reads."""

    availability_flush_seconds: float = Field(
        default=1.0,
        gt=0,
        validation_alias=AliasChoices("CROSSDOCK_INVENTORY_AVAILABILITY_FLUSH_SECONDS"),
        description=(
            "seconds between runs of the availability publisher; stock changes to one SKU within this "
            "window produce at most one availability event per channel figure"
        ),
    )
    availability_flush_batch: int = Field(
        default=500,
        ge=1,
        validation_alias=AliasChoices("CROSSDOCK_INVENTORY_AVAILABILITY_FLUSH_BATCH"),
        description="SKUs recomputed per publisher transaction",
    )
