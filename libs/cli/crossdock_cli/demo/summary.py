"""The live summary of `make run`: integrations, orders per channel, inventory pushes and errors.

Everything is read from the services' public APIs, the same ones an operator's
dashboard would poll: order routing's order counts, the connectors' status
endpoints and routing's HTTP-3PL integration.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import httpx
from rich.table import Table

from crossdock_cli.demo.setup import DemoIds
from crossdock_cli.stack import StackConfig

ROUTED = {"routed", "sent_to_fulfillment"}
SHIPPED = {"partially_fulfilled", "fulfilled"}
CLOSED = {"cancelled", "refused"}


@dataclass
class ChannelOrders:
    """Order counts of one channel, from routing's point of view."""

    received: int = 0
    pending: int = 0
    routed: int = 0
    stalled: int = 0
    shipped: int = 0
    channel_fulfilled: int = 0
    closed: int = 0


@dataclass
class Snapshot:
    """One reading of the hub, rendered as a table and used to decide when the demo has shown enough."""

    integrations: dict[str, str] = field(default_factory=dict)
    orders: dict[str, ChannelOrders] = field(default_factory=dict)
    inventory_pushes: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def all_connected(self) -> bool:
        return bool(self.integrations) and all(status == "connected" for status in self.integrations.values())

    def shipped_on_both_channels(self) -> bool:
        return all(self.orders.get(channel, ChannelOrders()).shipped > 0 for channel in ("mirakl", "tiktok"))


def _channel_key(channel: str) -> str:
    return "tiktok" if channel.startswith("tiktok") else channel


def read_snapshot(config: StackConfig, http: httpx.Client, ids: DemoIds) -> Snapshot:
    """Read the hub once; a service that does not respond becomes an error line, not an exception."""
    snapshot = Snapshot()
    reads = {
        "mirakl": config.url("mirakl_connector") + f"/v1/integrations/{ids.mirakl_id}/status",
        "tiktok": config.url("tiktok_connector") + f"/v1/integrations/{ids.tiktok_id}/status",
        "3pl": config.url("order_routing") + f"/v1/integrations/http-3pl/{ids.threepl_id}",
        "orders": config.url("order_routing") + "/v1/order-counts",
    }
    answers = {}
    for name, url in reads.items():
        try:
            response = http.get(url)
            response.raise_for_status()
            answers[name] = response.json()
        except httpx.HTTPError as error:
            snapshot.errors.append(f"{name}: {url} did not answer ({error})")

    for name in ("mirakl", "tiktok", "3pl"):
        status = answers.get(name)
        if status is None:
            continue
        snapshot.integrations[name] = status.get("status", "unknown")
        if status.get("last_error") and status.get("status") != "connected":
            snapshot.errors.append(f"{name}: {status['last_error']}")

    for row in answers.get("orders", []):
        counts = snapshot.orders.setdefault(_channel_key(row["channel"]), ChannelOrders())
        number = row["orders"]
        counts.received += number
        if row.get("fulfillment_type") == "channel":
            counts.channel_fulfilled += number
        elif row["status"] == "pending":
            counts.pending += number
        elif row["status"] in ROUTED:
            counts.routed += number
        elif row["status"] == "stalled":
            counts.stalled += number
        elif row["status"] in SHIPPED:
            counts.shipped += number
        elif row["status"] in CLOSED:
            counts.closed += number

    if "mirakl" in answers:
        mirakl = answers["mirakl"]
        snapshot.inventory_pushes["mirakl"] = _mirakl_pushes(mirakl)
        recent = [
            item for item in mirakl.get("recent_errors", []) if _is_after(item.get("created_at"), ids.configured_at)
        ]
        snapshot.errors.extend(f"mirakl {item.get('job')}: {item.get('message')}" for item in recent[:3])
    if "tiktok" in answers:
        tiktok = answers["tiktok"]
        pushes = Counter(tiktok.get("inventory") or {})
        snapshot.inventory_pushes["tiktok"] = (
            ", ".join(f"{n} {state}" for state, n in sorted(pushes.items())) or "none yet"
        )
        failed_skus = {item.get("sku"): item.get("message") for item in tiktok.get("inventory_failures", [])}
        snapshot.errors.extend(f"tiktok inventory {sku}: {message}" for sku, message in list(failed_skus.items())[:3])
    return snapshot


def _is_after(created_at: str | None, since: datetime | None) -> bool:
    if since is None or not created_at:
        return True
    return datetime.fromisoformat(created_at) >= since


def _mirakl_pushes(status: dict) -> str:
    jobs = status.get("jobs") or {}
    stock = next((job for name, job in jobs.items() if "stock" in name or "inventory" in name), None)
    if not stock:
        return "none yet"
    counts = stock.get("counts") or {}
    shown = ", ".join(f"{value} {key}" for key, value in sorted(counts.items()) if isinstance(value, int))
    return shown or f"last run {stock.get('last_run_at')}"


def render(snapshot: Snapshot, *, elapsed_seconds: float) -> Table:
    """Return the summary table for the terminal."""
    integrations = " · ".join(f"{name} {status}" for name, status in snapshot.integrations.items())
    table = Table(
        "channel",
        "received",
        "pending",
        "routed",
        "stalled",
        "shipped",
        "FBT",
        "closed",
        title=f"crossdock demo, {elapsed_seconds:.0f} s: {integrations or 'integrations not read yet'}",
        title_justify="left",
    )
    for channel, counts in sorted(snapshot.orders.items()):
        table.add_row(
            channel,
            *(
                str(value)
                for value in (
                    counts.received,
                    counts.pending,
                    counts.routed,
                    counts.stalled,
                    counts.shipped,
                    counts.channel_fulfilled,
                    counts.closed,
                )
            ),
        )
    pushes = " · ".join(f"{name}: {text}" for name, text in snapshot.inventory_pushes.items())
    table.caption = f"inventory pushes: {pushes or 'none yet'}" + (
        "\nerrors: " + "\n        ".join(snapshot.errors[:6]) if snapshot.errors else "\nerrors: none"
    )
    table.caption_justify = "left"
    return table
