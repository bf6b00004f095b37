"""Command line for the SKU audit: `python -m crossdock_catalog.cli audit --account ACCOUNT`.

Reads the catalog schema directly (DATABASE_URL), so it works while the service is down.
Exits 0 when the audit finds nothing, 1 when it reports findings and 2 on a usage or connection error.
"""

import argparse
import asyncio
import json
import sys
from typing import Any

import asyncpg
from crossdock_common.db.pool import create_pool

from crossdock_catalog.service_layer.audit import audit_account
from crossdock_catalog.settings import CatalogSettings

SCHEMA = "catalog"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crossdock-catalog-audit", description="Report SKU problems of one account.")
    commands = parser.add_subparsers(dest="command", required=True)
    audit = commands.add_parser("audit", help="run the SKU audit")
    audit.add_argument("--account", required=True, help="account id to audit")
    audit.add_argument("--database-url", help="PostgreSQL DSN (default: DATABASE_URL)")
    audit.add_argument("--json", action="store_true", help="print the findings as JSON instead of text")
    return parser


async def _run_audit(database_url: str, account_id: str) -> dict[str, Any]:
    pool = await create_pool(database_url, schema=SCHEMA, max_size=1)
    try:
        async with pool.acquire() as connection:
            return await audit_account(connection, account_id)
    finally:
        await pool.close()


def format_text(report: dict[str, Any]) -> str:
    """Render audit findings as lines a person reads in a terminal."""
    lines = [f"SKU audit of account {report['account_id']!r}"]
    for finding in report["collisions"]:
        lines.append(f"collision: {finding['message']}")
        for identity in finding["identities"]:
            lines.append(f"    {identity['source']}: title={identity['title']!r} gtin={identity['gtin']!r}")
    for finding in report["near_misses"]:
        where = f" on {finding['integration_id']}" if "integration_id" in finding else ""
        lines.append(f"near-miss{where}: {finding['message']}")
    for finding in report["duplicate_channel_skus"]:
        lines.append(f"duplicate channel SKU: {finding['message']}")
    for finding in report["unlinked_masters"]:
        if finding["missing_integrations"]:
            missing = ", ".join(finding["missing_integrations"])
            lines.append(f"no channel link: {finding['sku']!r} is not linked on {missing}")
        else:
            lines.append(f"no channel link: {finding['sku']!r} is not linked on any channel")
    counts = report["counts"]
    lines.append(
        f"{counts['collisions']} collisions, {counts['near_misses']} near-misses, "
        f"{counts['duplicate_channel_skus']} duplicate channel SKUs, {counts['unlinked_masters']} unlinked masters"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    database_url = arguments.database_url or CatalogSettings().database_url
    try:
        report = asyncio.run(_run_audit(database_url, arguments.account))
    except (OSError, asyncpg.PostgresError) as error:
        print(f"audit failed: cannot read the catalog database: {error}", file=sys.stderr)
        return 2
    if arguments.json:
        print(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    else:
        print(format_text(report))
    return 1 if any(report["counts"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
