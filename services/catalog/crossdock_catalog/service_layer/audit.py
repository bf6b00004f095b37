"""Run the SKU audit for one account from the catalog tables."""

from typing import Any

import asyncpg

from crossdock_catalog.adapters import repository
from crossdock_catalog.domain.audit import ChannelProductRow, MasterRow, OptionRow, run_audit


async def audit_account(connection: asyncpg.Connection, account_id: str) -> dict[str, Any]:
    """Return the audit findings of an account with a count per check."""
    rows = await repository.load_audit_rows(connection, account_id)
    integrations = await repository.list_sales_integrations(connection, account_id)
    findings = run_audit(
        masters=[MasterRow(**dict(row)) for row in rows["masters"]],
        channel_products=[ChannelProductRow(**dict(row)) for row in rows["channel_products"]],
        options=[OptionRow(**dict(row)) for row in rows["options"]],
        sales_integrations=[integration.integration_id for integration in integrations],
    )
    return {
        "account_id": account_id,
        "counts": {check: len(items) for check, items in findings.items()},
        **findings,
    }
