"""Pieces shared by several payloads."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from crossdock_common.events.types import CountryCode, Text

Channel = Literal["mirakl", "tiktok"]


class Payload(BaseModel):
    """Base of every payload: unknown fields are rejected so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid")


class Address(Payload):
    """A postal address with an ISO 3166-1 alpha-2 country."""

    name: Text = ""
    lines: list[Text] = Field(default_factory=list)
    city: Text = ""
    postal_code: Text = ""
    state: Text | None = None
    country: CountryCode
    phone: Text | None = None
    email: Text | None = None
