"""`crossdock catalog source` and `crossdock sku-audit`: the account's catalog source and its SKU audit."""

from enum import StrEnum
from typing import Annotated, Any

import typer

from crossdock_cli.api import connect
from crossdock_cli.output import JsonOption, console, print_json, print_table, reports_errors

app = typer.Typer(help="The master catalog.", no_args_is_help=True)

# Exit code of `sku-audit --check` when the audit has findings, so scripts can
# tell findings apart from a failed call (exit code 1).
FINDINGS_EXIT_CODE = 3


class CatalogSource(StrEnum):
    mirakl = "mirakl"
    tiktok = "tiktok"
    both = "both"
    other = "other"


@app.command("source")
@reports_errors
def source(
    value: Annotated[
        CatalogSource | None, typer.Argument(help="new source: the channel(s) whose products create masters")
    ] = None,
    force: Annotated[
        bool, typer.Option(help="switch even though both channels have products, which can duplicate masters")
    ] = False,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """Show the catalog source, or set it when VALUE is given."""
    with connect("catalog") as client:
        if value is None:
            result = client.get("/v1/catalog/settings")
        else:
            result = client.put(
                "/v1/catalog/settings", {"catalog_source": value.value}, force="true" if force else None
            )
    if as_json:
        print_json(result)
        return
    if value is None:
        suffix = " (default, never set)" if result.get("is_default") else ""
        console.print(f"catalog source: {result['catalog_source']}{suffix}", highlight=False)
    elif result.get("changed") is False:
        console.print(f"catalog source is already {result['catalog_source']}", highlight=False)
    else:
        console.print(f"catalog source set to {result['catalog_source']}", highlight=False)


def _identities(finding: dict[str, Any]) -> str:
    parts = []
    for identity in finding.get("identities", []):
        label = identity.get("source")
        if identity.get("channel_product_id"):
            label = f"{label}/{identity['channel_product_id']}"
        parts.append(f"{label}: {identity.get('title')!r} gtin={identity.get('gtin') or '-'}")
    return "\n".join(parts)


def print_audit(report: dict[str, Any]) -> None:
    """Print each audit check as its own table, then the counts."""
    collisions = [{**item, "identities": _identities(item)} for item in report.get("collisions", [])]
    print_table(
        "SKU collisions (one SKU, different products)",
        ("sku", "reasons", "identities"),
        collisions,
        empty="collisions: none",
    )
    print_table(
        "Near misses (SKUs that look alike but do not match)",
        ("kind", "sku", "similar_sku", "integration_id", "message"),
        report.get("near_misses", []),
        empty="near misses: none",
    )
    print_table(
        "Duplicate channel SKUs",
        ("kind", "integration_id", "channel_sku", "message"),
        report.get("duplicate_channel_skus", []),
        empty="duplicate channel SKUs: none",
    )
    print_table(
        "Masters without a channel SKU mapping",
        ("sku", "product_type", "linked_integrations", "missing_integrations"),
        report.get("unlinked_masters", []),
        empty="masters without a channel link: none",
    )
    counts = report.get("counts", {})
    console.print(", ".join(f"{check}: {count}" for check, count in counts.items()), highlight=False)


@reports_errors
def sku_audit(
    check: Annotated[
        bool,
        typer.Option("--check", help=f"exit with code {FINDINGS_EXIT_CODE} when the audit has any finding"),
    ] = False,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """Audit the account's SKUs: collisions with both identities, near misses, duplicates, missing channel links.

    Exits with code 0 after printing the report, also when it has findings,
    unless `--check` is given.
    """
    with connect("catalog") as client:
        report = client.get("/v1/audit/skus")
    if as_json:
        print_json(report)
    else:
        print_audit(report)
    if check and any(report.get("counts", {}).values()):
        raise typer.Exit(FINDINGS_EXIT_CODE)
