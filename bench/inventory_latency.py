"""Inventory latency and call economy: stock changes through the whole hub until the Mirakl sandbox receives them.

Starts the five services and three sandboxes (ports moved by `--port-offset`,
default 3000), creates `--skus` masters, one hub location and a Mirakl
integration through the public APIs, and sets a starting stock for every SKU.
Then it sends `--changes` stock adjustments (+1 unit at a random SKU) through
`POST /v1/stock/adjust` at a steady `--rate`, and reads every STO01 stock
import the Mirakl sandbox received from its request log.

Latency of one change: from the adjust call until the sandbox receives an
STO01 file whose line for that SKU carries the new quantity or a later one.
Window wait: the part of that latency during which the connector could not
call STO01 because the previous import was less than one call-frequency window
ago (Mirakl allows STO01 once a minute, times CROSSDOCK_MARKETPLACE_TIME_SCALE).

Call economy: STO01 calls made versus the minimum, the changed SKUs divided by
the most lines one import carries (the connector's 10,000). Prints figures
only and asserts nothing.

    .venv/bin/python bench/inventory_latency.py                     # 10,000 changes over 2,000 SKUs at 100/s
    .venv/bin/python bench/inventory_latency.py --changes 2000 --skus 500 --rate 50
"""

import argparse
import asyncio
import math
import random
import re
import statistics
import sys
import time
import uuid
from collections import Counter
from datetime import datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _stack import RssSampler, add_port_offset_argument, bench_stack, connect_mirakl  # noqa: E402

# Mirakl's STO01 frequency limit, before the time scale.
STO01_WINDOW_SECONDS = 60
# The connector's `MAX_LINES_PER_IMPORT`: the most lines one STO01 file carries.
MAX_LINES_PER_IMPORT = 10_000
STARTING_STOCK = 1000
# One STO01 CSV line, `"offer-sku";"quantity";"warehouse-code";...`, with or without quotes.
CSV_LINE = re.compile(r'^"?([^;"\r\n]+)"?;"?(\d+)"?;"?([^;"\r\n]*)"?;', re.MULTILINE)
# The Mirakl sandbox keeps this many characters of each request body in its log.
LOGGED_BODY_LIMIT = 64_000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=10_000, help="stock changes to send (default 10000)")
    parser.add_argument("--skus", type=int, default=2_000, help="SKUs the changes spread over (default 2000)")
    parser.add_argument("--rate", type=float, default=100.0, help="changes per second, sent steadily (default 100)")
    parser.add_argument("--concurrency", type=int, default=16, help="adjust calls in flight at most (default 16)")
    parser.add_argument(
        "--time-scale", type=float, default=0.01, help="CROSSDOCK_MARKETPLACE_TIME_SCALE of the stack (default 0.01)"
    )
    parser.add_argument(
        "--flush-seconds",
        type=float,
        default=0.25,
        help="CROSSDOCK_INVENTORY_AVAILABILITY_FLUSH_SECONDS, the inventory publisher's period (default 0.25)",
    )
    parser.add_argument(
        "--tick-seconds",
        type=float,
        default=0.1,
        help="CROSSDOCK_MIRAKL_WORKER_TICK_SECONDS, how often the connector checks for due jobs (default 0.1)",
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed of the change sequence (default 7)")
    add_port_offset_argument(parser)
    return parser.parse_args()


def sku_name(number: int) -> str:
    return f"B{number:05d}"


def setup(hub, skus: list[str]) -> tuple[str, str]:
    """Create the masters, a location with starting stock and a Mirakl integration; return (integration, location)."""
    http = hub.http
    http.put(f"{hub.url('catalog')}/v1/catalog/settings", json={"catalog_source": "other"}).raise_for_status()
    integration_id = connect_mirakl(
        hub,
        products="disabled",
        settings={
            "syncOrders": False,
            "syncFulfillments": False,
            "inventoryPushSeconds": 60,
            "importStatusSeconds": 15,
        },
    )
    location = http.post(f"{hub.url('inventory')}/v1/locations", json={"name": "Bench warehouse"})
    location.raise_for_status()
    location_id = location.json()["location_id"]

    for start in range(0, len(skus), 500):
        products = [
            {"sku": sku, "product_type": "simple", "title": f"Bench product {sku}", "status": "active"}
            for sku in skus[start : start + 500]
        ]
        result = http.post(f"{hub.url('catalog')}/v1/products/bulk", json={"products": products})
        result.raise_for_status()
        if result.json()["rejected"]:
            raise RuntimeError(f"catalog rejected products: {result.json()['rejected'][:3]}")

    # Inventory learns the products from catalog events; stock for an unknown SKU would be rejected.
    def inventory_knows_products():
        simulated = http.get(
            f"{hub.url('inventory')}/v1/availability/simulate",
            params={"sku": skus[-1], "integration_id": integration_id},
        )
        return simulated.status_code == 200 and not simulated.json()["notes"] and simulated.json()["channels"]

    hub.wait_for("inventory to know the bench products", inventory_knows_products, timeout=180)
    rows = "\n".join(f"{location_id},{sku},{STARTING_STOCK}" for sku in skus)
    imported = http.post(
        f"{hub.url('inventory')}/v1/stock/import",
        content=f"location_id,sku,on_hand\n{rows}\n",
        headers={**http.headers, "Content-Type": "text/csv", "Idempotency-Key": uuid.uuid4().hex},
    )
    imported.raise_for_status()
    return integration_id, location_id


def received_imports(hub) -> list[tuple[float, dict[str, int]]]:
    """Return (received at, {offer SKU: quantity}) of every STO01 call the Mirakl sandbox accepted, oldest first."""
    log = hub.http.get(f"{hub.url('sandbox_mirakl')}/_sandbox/requests").json()["requests"]
    imports = []
    for entry in sorted(log, key=lambda entry: entry["sequence"]):
        if entry["operation"] != "STO01" or entry["status"] >= 300:
            continue
        received_at = datetime.fromisoformat(entry["at"].replace("Z", "+00:00")).timestamp()
        if len(entry["body"]) >= LOGGED_BODY_LIMIT:
            raise RuntimeError("an STO01 body was cut in the sandbox log; use fewer SKUs or shorter names")
        lines = {sku: int(quantity) for sku, quantity, _warehouse in CSV_LINE.findall(entry["body"])}
        lines.pop("offer-sku", None)
        imports.append((received_at, lines))
    return imports


def count_operations(hub, operation: str) -> int:
    log = hub.http.get(f"{hub.url('sandbox_mirakl')}/_sandbox/requests").json()["requests"]
    return sum(1 for entry in log if entry["operation"] == operation)


async def send_changes(hub, location_id: str, changes: list[str], rate: float, concurrency: int) -> list[float]:
    """Send one +1 adjustment per entry at a steady rate; return the wall-clock time each call was sent."""
    sent_at = [0.0] * len(changes)
    limit = asyncio.Semaphore(concurrency)
    headers = {"Authorization": hub.http.headers["Authorization"]}
    url = f"{hub.url('inventory')}/v1/stock/adjust"

    async with httpx.AsyncClient(timeout=60, headers=headers) as client:

        async def adjust(index: int, sku: str) -> None:
            async with limit:
                sent_at[index] = time.time()
                key = uuid.uuid4().hex
                for attempt in range(3):
                    # A kept-alive connection the server closed fails before the request is read; the same
                    # Idempotency-Key makes the repeat safe either way.
                    try:
                        response = await client.post(
                            url,
                            json={"location_id": location_id, "sku": sku, "delta": 1, "reason": "benchmark"},
                            headers={"Idempotency-Key": key},
                        )
                        break
                    except (httpx.ReadError, httpx.RemoteProtocolError, httpx.ConnectError):
                        if attempt == 2:
                            raise
                response.raise_for_status()

        started = time.monotonic()
        tasks = []
        for index, sku in enumerate(changes):
            delay = started + index / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(adjust(index, sku)))
        await asyncio.gather(*tasks)
    return sent_at


def latencies(changes, sent_at, imports, window: float) -> tuple[list[float], list[float], int]:
    """Match each change to the first import that carries it; return (latency, window wait) lists and misses.

    The window wait of a change is the part of its latency that fell inside a
    closed STO01 window, one window after each earlier import.
    """
    reached: dict[str, int] = {}
    total, waits, missed = [], [], 0
    for sku, at in zip(changes, sent_at, strict=True):
        reached[sku] = reached.get(sku, STARTING_STOCK) + 1
        target = reached[sku]
        match = next(
            # The log keeps milliseconds, so an import can show up to 1 ms before the change it carries.
            (
                received_at
                for received_at, lines in imports
                if received_at + 0.001 >= at and lines.get(sku, -1) >= target
            ),
            None,
        )
        if match is None:
            missed += 1
            continue
        latency = max(match - at, 0.0)
        blocked = sum(
            max(min(earlier + window, match) - max(earlier, at), 0.0) for earlier, _lines in imports if earlier < match
        )
        total.append(latency)
        waits.append(min(blocked, latency))
    return total, waits, missed


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1)]


def main() -> int:
    args = parse_args()
    rng = random.Random(args.seed)
    skus = [sku_name(number) for number in range(args.skus)]
    changes = [rng.choice(skus) for _ in range(args.changes)]
    window = STO01_WINDOW_SECONDS * args.time_scale
    extra_env = {
        "CROSSDOCK_INVENTORY_AVAILABILITY_FLUSH_SECONDS": str(args.flush_seconds),
        "CROSSDOCK_MIRAKL_WORKER_TICK_SECONDS": str(args.tick_seconds),
    }
    with bench_stack(
        name="inventory", time_scale=args.time_scale, port_offset=args.port_offset, extra_env=extra_env
    ) as hub:
        setup_started = time.monotonic()
        integration_id, location_id = setup(hub, skus)

        def starting_stock_pushed():
            seen: dict[str, int] = {}
            for _at, lines in received_imports(hub):
                seen.update(lines)
            return all(seen.get(sku) == STARTING_STOCK for sku in skus)

        hub.wait_for("starting stock of every SKU on Mirakl", starting_stock_pushed, timeout=240, interval=2)
        setup_seconds = time.monotonic() - setup_started
        hub.http.delete(f"{hub.url('sandbox_mirakl')}/_sandbox/requests").raise_for_status()

        with RssSampler(hub.service_pids()) as memory:
            started = time.monotonic()
            sent_at = asyncio.run(send_changes(hub, location_id, changes, args.rate, args.concurrency))
            sending_seconds = time.monotonic() - started
            expected = {sku: STARTING_STOCK + count for sku, count in Counter(changes).items()}

            def every_change_pushed():
                seen: dict[str, int] = {}
                for _at, lines in received_imports(hub):
                    seen.update(lines)
                return all(seen.get(sku) == quantity for sku, quantity in expected.items())

            hub.wait_for("every change on Mirakl", every_change_pushed, timeout=120, interval=1)
        imports = received_imports(hub)
        status_calls = count_operations(hub, "STO02")
        rejected_calls = count_operations(hub, "STO01") - len(imports)

    total, waits, missed = latencies(changes, sent_at, imports, window)
    outside = [latency - wait for latency, wait in zip(total, waits, strict=True)]
    changed_skus = len(expected)
    minimum_calls = math.ceil(changed_skus / MAX_LINES_PER_IMPORT)
    windows_spanned = math.ceil((imports[-1][0] - min(sent_at)) / window) if imports else 0
    lines_sent = sum(len(lines) for _at, lines in imports)

    print(f"stock changes:             {args.changes} (+1 unit each) over {args.skus} SKUs, one location")
    print(f"sent at:                   {args.changes / sending_seconds:.0f} changes/s (asked {args.rate:.0f}/s)")
    print(
        f"settings:                  time scale {args.time_scale}, STO01 window {window:.2f} s, "
        f"inventoryPushSeconds 60, publisher every {args.flush_seconds} s, worker tick {args.tick_seconds} s"
    )
    print(f"setup (masters, stock, first full import): {setup_seconds:.0f} s")
    print(f"changes matched to an import: {len(total)} of {args.changes} ({missed} not found)")
    if total:
        print(
            f"latency, adjust call -> STO01 received:   p50 {statistics.median(total) * 1000:.0f} ms, "
            f"p99 {percentile(total, 0.99) * 1000:.0f} ms, max {max(total) * 1000:.0f} ms"
        )
        print(
            f"  of which STO01 window wait:             p50 {statistics.median(waits) * 1000:.0f} ms, "
            f"p99 {percentile(waits, 0.99) * 1000:.0f} ms, mean {statistics.mean(waits) * 1000:.0f} ms"
        )
        print(
            f"  outside window waits:                   p50 {statistics.median(outside) * 1000:.0f} ms, "
            f"p99 {percentile(outside, 0.99) * 1000:.0f} ms   (target p99 < 1000 ms)"
        )
    gaps = [later - earlier for (earlier, _a), (later, _b) in zip(imports, imports[1:], strict=False)]
    print(
        f"STO01 calls made:          {len(imports)} carrying {lines_sent} lines, {rejected_calls} rejected "
        f"(STO02 status calls: {status_calls})"
    )
    if gaps:
        print(f"time between STO01 calls:  median {statistics.median(gaps):.2f} s, min {min(gaps):.2f} s")
    print(
        f"minimum STO01 calls:       {minimum_calls} ({changed_skus} changed SKUs / {MAX_LINES_PER_IMPORT} lines per "
        f"import); ratio {len(imports) / minimum_calls:.1f} (target <= 1.1)"
    )
    print(
        f"STO01 windows spanned:     {windows_spanned} (one call per window is the least a latency bound allows); "
        f"ratio {len(imports) / max(windows_spanned, 1):.2f}"
    )
    print("peak RSS during the run:   " + ", ".join(f"{name} {mb:.0f} MB" for name, mb in memory.peak.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
