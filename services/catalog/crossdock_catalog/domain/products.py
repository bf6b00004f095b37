"""Master product input: validation of one product, and parsing of bulk CSV and JSON files."""

import csv
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from crossdock_common.events.types import CurrencyCode, Identifier, Money, Text
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from crossdock_catalog.domain.sku import surrounding_whitespace_warning

ProductType = Literal["simple", "parent", "variant"]
GTIN_LENGTHS = (8, 12, 13, 14)

# Columns of the bulk CSV besides `attribute:<name>` columns.
CSV_COLUMNS = (
    "sku",
    "product_type",
    "parent_sku",
    "title",
    "description",
    "gtin",
    "price",
    "currency",
    "images",
    "status",
)
CSV_ATTRIBUTE_PREFIX = "attribute:"
CSV_IMAGE_SEPARATOR = "|"
_EXTRA_CELLS = "_extra_cells"


def gtin_check_digit_valid(gtin: str) -> bool:
    """Check the GS1 mod-10 check digit of a GTIN-8, -12, -13 or -14."""
    digits = [int(character) for character in gtin]
    body, check = digits[:-1], digits[-1]
    total = sum(digit * (3 if index % 2 == 0 else 1) for index, digit in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


class ProductInput(BaseModel):
    """A master product as the catalog API and bulk import accept it. The SKU is kept exactly."""

    model_config = ConfigDict(extra="forbid")

    sku: Identifier = Field(min_length=1, max_length=255)
    product_type: ProductType = "simple"
    parent_sku: Identifier | None = None
    title: Text = Field(default="", max_length=2000)
    description: Text | None = None
    gtin: Identifier | None = Field(default=None, description="GTIN-8, -12 (UPC), -13 (EAN) or -14, digits only")
    price: Money | None = None
    currency: CurrencyCode | None = None
    images: list[str] = Field(default_factory=list)
    attributes: dict[str, Text] = Field(default_factory=dict)
    status: Literal["active", "inactive"] = "active"

    @field_validator("sku")
    @classmethod
    def _sku_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError(f"SKU {value!r} is only whitespace; use a SKU with at least one visible character")
        return value

    @field_validator("gtin")
    @classmethod
    def _gtin_valid(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.isascii() or not value.isdigit() or len(value) not in GTIN_LENGTHS:
            raise ValueError(f"GTIN {value!r} is invalid: expected 8, 12, 13 or 14 digits")
        if not gtin_check_digit_valid(value):
            raise ValueError(f"GTIN {value!r} has a wrong check digit; re-check the number")
        return value

    @field_validator("price")
    @classmethod
    def _price_not_negative(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and value < 0:
            raise ValueError(f"price {value} is negative; use 0 or more")
        return value

    @field_validator("images")
    @classmethod
    def _images_are_urls(cls, value: list[str]) -> list[str]:
        for url in value:
            if not url.startswith(("https://", "http://")):
                raise ValueError(f"image {url!r} is not an http(s) URL")
        return value

    @model_validator(mode="after")
    def _structure(self) -> "ProductInput":
        if self.product_type == "variant" and not self.parent_sku:
            raise ValueError(f"variant {self.sku!r} needs parent_sku (the SKU of its parent product)")
        if self.product_type != "variant" and self.parent_sku is not None:
            raise ValueError(f"{self.product_type} product {self.sku!r} cannot have parent_sku; only variants have one")
        if self.parent_sku == self.sku:
            raise ValueError(f"variant {self.sku!r} cannot be its own parent")
        if self.price is not None and self.currency is None:
            raise ValueError(f"product {self.sku!r} has a price but no currency; add an ISO 4217 code such as EUR")
        return self

    def warnings(self) -> list[str]:
        """Non-blocking remarks on the input, such as a SKU with surrounding whitespace."""
        warning = surrounding_whitespace_warning(self.sku)
        return [warning] if warning else []


def validation_messages(error: ValidationError) -> list[str]:
    """Turn a pydantic error into one readable message per problem, naming the field."""
    messages = []
    for item in error.errors():
        location = ".".join(str(part) for part in item.get("loc", ()))
        message = item.get("msg", "invalid")
        message = message.removeprefix("Value error, ")
        messages.append(f"{location}: {message}" if location else message)
    return messages


@dataclass
class BulkRow:
    """One row of a bulk file: its 1-based number, the raw values and the parse result."""

    row: int
    raw: dict[str, Any]
    product: ProductInput | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def sku(self) -> Any:
        return self.raw.get("sku") if isinstance(self.raw, dict) else None


class BulkFileError(ValueError):
    """The whole bulk file is unreadable (not one bad row): wrong format, missing header, no rows."""


def _validate_row(row_number: int, raw: dict[str, Any]) -> BulkRow:
    row = BulkRow(row=row_number, raw=raw)
    try:
        row.product = ProductInput.model_validate(raw)
    except ValidationError as error:
        row.errors = validation_messages(error)
    return row


def parse_json_rows(data: Any) -> list[BulkRow]:
    """Validate each item of a JSON bulk body: a list of products, or {"products": [...]}."""
    if isinstance(data, dict) and "products" in data:
        data = data["products"]
    if not isinstance(data, list):
        raise BulkFileError('JSON bulk body must be a list of products or an object {"products": [...]}')
    if not data:
        raise BulkFileError("bulk body contains no products")

    rows = []
    for index, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            rows.append(BulkRow(row=index, raw={}, errors=[f"row {index} is not a JSON object"]))
            continue
        rows.append(_validate_row(index, item))
    return rows


def _csv_record_to_product(record: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    attributes: dict[str, str] = {}
    for column, cell in record.items():
        if column.startswith(CSV_ATTRIBUTE_PREFIX):
            if cell != "":
                attributes[column.removeprefix(CSV_ATTRIBUTE_PREFIX)] = cell
            continue
        # The SKU cell is kept exactly; in other columns an empty cell means "not set".
        if column == "sku":
            values["sku"] = cell
        elif cell == "":
            continue
        elif column == "images":
            values["images"] = [url for url in cell.split(CSV_IMAGE_SEPARATOR) if url]
        else:
            values[column] = cell
    if attributes:
        values["attributes"] = attributes
    return values


def parse_csv_rows(text: str) -> list[BulkRow]:
    """Validate each data row of a bulk CSV. Row numbers count data rows from 1 (the header is row 0)."""
    reader = csv.DictReader(io.StringIO(text, newline=""), restkey=_EXTRA_CELLS)
    header = reader.fieldnames
    if not header:
        raise BulkFileError("CSV is empty; the first line must be a header with at least the column 'sku'")
    if "sku" not in header:
        raise BulkFileError(f"CSV header {header} has no 'sku' column")
    unknown = [name for name in header if name not in CSV_COLUMNS and not name.startswith(CSV_ATTRIBUTE_PREFIX)]
    if unknown:
        raise BulkFileError(
            f"CSV header has unknown columns {unknown}; known columns are {list(CSV_COLUMNS)} "
            f"and '{CSV_ATTRIBUTE_PREFIX}<name>' for attributes"
        )

    rows = []
    for index, record in enumerate(reader, start=1):
        if _EXTRA_CELLS in record:
            rows.append(
                BulkRow(row=index, raw={"sku": record.get("sku")}, errors=["row has more cells than the header"])
            )
            continue
        if any(value is None for value in record.values()):
            rows.append(
                BulkRow(row=index, raw={"sku": record.get("sku")}, errors=["row has fewer cells than the header"])
            )
            continue
        rows.append(_validate_row(index, _csv_record_to_product(record)))
    if not rows:
        raise BulkFileError("CSV has a header but no data rows")
    return rows


def parse_json_text(text: str) -> list[BulkRow]:
    """Parse a JSON bulk body, decoding numbers as Decimal so prices stay exact."""
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise BulkFileError(f"body is not valid JSON: {error}") from None
    return parse_json_rows(data)
