"""Requests to act, sent by a user through an API or by a service, and their results."""

from typing import Literal

from pydantic import Field

from crossdock_common.events.payloads.common import Channel, Payload
from crossdock_common.events.types import Identifier, Text


class OrderCommandPayload(Payload):
    """Accept, refuse or cancel an order on its channel, or only some of its lines."""

    command_id: str
    integration_id: str
    channel: Channel
    external_id: Identifier
    line_ids: list[Identifier] | None = Field(default=None, description="None means every line")
    reason_code: Text | None = None
    reason: Text | None = None
    requested_by: Text = "system"


class InventoryResyncPayload(Payload):
    """Ask inventory for a full availability snapshot of one integration."""

    command_id: str
    integration_id: str
    requested_by: Text = "system"


class CommandResultPayload(Payload):
    """What became of a command."""

    command_id: str
    command_type: str
    integration_id: str
    status: Literal["succeeded", "failed", "rejected"]
    message: Text | None = None
