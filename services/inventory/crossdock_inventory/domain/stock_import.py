"""Parse a stock CSV: one absolute on-hand quantity per location and SKU.

The header must name `location_id`, `sku` and `on_hand` (other columns are
ignored). SKUs are kept exactly as written, spaces included, because SKU
matching is exact. Every row is checked before anything is applied, so a file
with one bad row changes nothing.
"""

import csv
import io
from dataclasses import dataclass

REQUIRED_COLUMNS = ("location_id", "sku", "on_hand")
MAX_ROWS = 100_000


@dataclass(frozen=True)
class ImportRow:
    line: int
    location_id: str
    sku: str
    on_hand: int


@dataclass(frozen=True)
class ImportRowError:
    line: int
    message: str


class StockImportInvalid(ValueError):
    """A CSV that cannot be imported, with `errors` naming each bad line."""

    def __init__(self, errors: list[ImportRowError]) -> None:
        super().__init__("; ".join(f"line {error.line}: {error.message}" for error in errors[:20]))
        self.errors = errors


def parse_stock_csv(text: str) -> list[ImportRow]:
    """Return the rows of a stock CSV, or raise StockImportInvalid listing every bad line."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = reader.fieldnames or []
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    if missing:
        raise StockImportInvalid(
            [ImportRowError(1, f"header is missing {missing}; the first line must be 'location_id,sku,on_hand'")]
        )

    rows: list[ImportRow] = []
    errors: list[ImportRowError] = []
    seen: dict[tuple[str, str], int] = {}
    for record in reader:
        line = reader.line_num
        if len(rows) + len(errors) >= MAX_ROWS:
            errors.append(ImportRowError(line, f"more than {MAX_ROWS} rows; split the file"))
            break
        row, error = _parse_row(line, record, seen)
        if error is not None:
            errors.append(error)
        elif row is not None:
            rows.append(row)

    if errors:
        raise StockImportInvalid(errors)
    if not rows:
        raise StockImportInvalid([ImportRowError(2, "the file has no data rows")])
    return rows


def _parse_row(
    line: int, record: dict[str, str | None], seen: dict[tuple[str, str], int]
) -> tuple[ImportRow | None, ImportRowError | None]:
    location_id = (record.get("location_id") or "").strip()
    sku = record.get("sku") or ""
    quantity_text = (record.get("on_hand") or "").strip()

    if not location_id and not sku and not quantity_text:
        return None, None  # A blank line.
    if not location_id:
        return None, ImportRowError(line, "location_id is empty")
    if not sku:
        return None, ImportRowError(line, "sku is empty")
    if "\x00" in sku:
        return None, ImportRowError(line, f"sku {sku!r} contains a NUL character")
    try:
        on_hand = int(quantity_text)
    except ValueError:
        return None, ImportRowError(line, f"on_hand {quantity_text!r} is not a whole number")

    key = (location_id, sku)
    if key in seen:
        return None, ImportRowError(
            line, f"location {location_id!r} and sku {sku!r} already appear on line {seen[key]}"
        )
    seen[key] = line
    return ImportRow(line=line, location_id=location_id, sku=sku, on_hand=on_hand), None
