"""Order ingest through the whole hub: orders/s from the first pull until the 3PL acknowledged every order.

Starts the five services and three sandboxes (ports moved by `--port-offset`,
default 3000) and configures them through the public APIs. The setup creates
an HTTP-3PL integration on the 3PL sandbox with auto-ship off, so the run
measures intake and dispatch only, and one linked location. It creates masters
for every offer SKU of Mirakl shop 2001 and every SKU of the TikTok US shop.
Last come a Mirakl integration and a TikTok integration (OAuth through the
sandbox's auto-approving consent page, `holdMinutes` 0), with their order
pulls off.

It then generates `--orders` orders, half per sandbox: Mirakl orders in
`SHIPPING` (accepted and paid, so routable) and TikTok seller-fulfilled orders
in `AWAITING_SHIPMENT`. A bare client first reads the same pages the
connectors read (Mirakl OR11 pages of 100; TikTok Order Search pages of 50
and Get Order Detail for their ids), both sandboxes at once, which gives the
serving rate. Then both order pulls are switched on, and the clock runs until
`GET /v1/order-counts` shows every generated order acknowledged by the 3PL
(`sent_to_fulfillment`).

RSS of every service is read idle (before the orders exist) and sampled
during the ingest. `--profile DIR` also records each service with py-spy
during the ingest and prints each one's busiest functions. Prints figures only
and asserts nothing.

    .venv/bin/python bench/ingest.py                      # 20,000 orders
    .venv/bin/python bench/ingest.py --orders 2000 --profile /tmp/ingest-profile
"""

import argparse
import concurrent.futures
import json
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _stack import (  # noqa: E402
    MIRAKL_KEY,
    Hub,
    RssSampler,
    add_port_offset_argument,
    bench_stack,
    connect_mirakl,
    connect_threepl,
    connect_tiktok,
    rss_megabytes,
)
from crossdock_cli.stack import SANDBOX_TIKTOK_APP_KEY, SANDBOX_TIKTOK_APP_SECRET  # noqa: E402
from crossdock_tiktok_connector.domain.signing import sign_request  # noqa: E402

MIRAKL_SHOP = 2001
MIRAKL_STATES = ["SHIPPING", "REFUSED", "CANCELED"]
MIRAKL_PAGE = 100
TIKTOK_PAGE = 50
TIKTOK_DETAIL_IDS = 50
ACKNOWLEDGED = ("sent_to_fulfillment", "partially_fulfilled", "fulfilled")
IDLE_TARGET_MB = 150
LOAD_TARGET_MB = 300


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=20_000, help="orders generated, half per sandbox (default 20000)")
    parser.add_argument(
        "--time-scale", type=float, default=0.01, help="CROSSDOCK_MARKETPLACE_TIME_SCALE of the stack (default 0.01)"
    )
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for every order (default 900)")
    parser.add_argument("--profile", type=Path, help="record each service with py-spy into this folder")
    add_port_offset_argument(parser)
    return parser.parse_args()


class TikTokBareClient:
    """Signed TikTok Open API calls with nothing else: no retries, no database, no events."""

    def __init__(self, base_url: str, *, access_token: str, shop_cipher: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=60)
        self.access_token = access_token
        self.shop_cipher = shop_cipher

    def call(self, method: str, path: str, query: dict[str, str], body: dict | None = None) -> dict:
        payload = json.dumps(body).encode() if body is not None else b""
        query = {**query, "app_key": SANDBOX_TIKTOK_APP_KEY, "timestamp": str(int(time.time()))}
        query["shop_cipher"] = self.shop_cipher
        query["sign"] = sign_request(app_secret=SANDBOX_TIKTOK_APP_SECRET, path=path, query=query, body=payload)
        response = self.http.request(
            method,
            path,
            params=query,
            content=payload or None,
            headers={"content-type": "application/json", "x-tts-access-token": self.access_token},
        )
        response.raise_for_status()
        envelope = response.json()
        if envelope.get("code") != 0:
            raise RuntimeError(f"TikTok sandbox returned code {envelope.get('code')}: {envelope.get('message')}")
        return envelope["data"]

    def seller_skus(self) -> set[str]:
        skus, token = set(), None
        while True:
            query = {"page_size": "100", **({"page_token": token} if token else {})}
            data = self.call("POST", "/product/202309/products/search", query, {})
            for product in data.get("products") or []:
                skus.update(sku["seller_sku"] for sku in product.get("skus") or [] if sku.get("seller_sku"))
            token = data.get("next_page_token")
            if not token:
                return skus

    def read_orders(self, update_time_ge: int, update_time_lt: int) -> int:
        """Walk Order Search and fetch every order's detail as the connector does; return the order count."""
        count, token = 0, None
        filters = {"update_time_ge": update_time_ge, "update_time_lt": update_time_lt}
        while True:
            query = {"page_size": str(TIKTOK_PAGE), "sort_field": "update_time", "sort_order": "ASC"}
            if token:
                query["page_token"] = token
            data = self.call("POST", "/order/202309/orders/search", query, filters)
            ids = [str(order["id"]) for order in data.get("orders") or []]
            for start in range(0, len(ids), TIKTOK_DETAIL_IDS):
                self.call("GET", "/order/202309/orders", {"ids": ",".join(ids[start : start + TIKTOK_DETAIL_IDS])})
            count += len(ids)
            token = data.get("next_page_token")
            if not token:
                return count


def read_mirakl_orders(base_url: str) -> int:
    """Walk OR11 with the connector's parameters and page size; return the order count."""
    count, offset = 0, 0
    with httpx.Client(base_url=base_url, timeout=60, headers={"Authorization": MIRAKL_KEY}) as http:
        while True:
            params = {
                "offset": offset,
                "max": MIRAKL_PAGE,
                "sort": "dateCreated",
                "order": "asc",
                "paginate": "true",
                "order_state_codes": ",".join(MIRAKL_STATES),
                "shop_id": MIRAKL_SHOP,
            }
            response = http.get("/api/orders", params=params)
            if response.status_code == 429:
                time.sleep(float(response.json().get("retry_after_seconds", 1)))
                continue
            response.raise_for_status()
            body = response.json()
            count += len(body["orders"])
            offset += len(body["orders"])
            if len(body["orders"]) < MIRAKL_PAGE or offset >= body["total_count"]:
                return count


def tiktok_bare_client(hub: Hub) -> TikTokBareClient:
    sandbox = hub.url("sandbox_tiktok")
    state = hub.http.get(f"{sandbox}/_sandbox/state").json()
    shop = next(shop for shop in state["shops"] if shop["region"] == "US" and "Sandbox" in shop["name"])
    seller = next(seller for seller in state["sellers"] if shop["id"] in seller["shop_ids"])
    tokens = hub.http.post(
        f"{sandbox}/_sandbox/tokens/issue",
        json={"app_key": SANDBOX_TIKTOK_APP_KEY, "seller_open_id": seller["open_id"]},
    )
    tokens.raise_for_status()
    client = TikTokBareClient(sandbox, access_token=tokens.json()["access_token"], shop_cipher=shop["cipher"])
    client.shop = shop
    return client


def setup(hub: Hub, tiktok: TikTokBareClient) -> dict:
    """Configure the hub for the ingest through its APIs; return the ids the run needs."""
    http = hub.http
    http.put(f"{hub.url('catalog')}/v1/catalog/settings", json={"catalog_source": "other"}).raise_for_status()
    threepl_id = connect_threepl(hub)
    http.put(f"{hub.url('sandbox_3pl')}/_sandbox/accounts/default/plan", json={"auto_ship": False}).raise_for_status()

    location = http.post(f"{hub.url('inventory')}/v1/locations", json={"name": "Bench 3PL site"})
    location.raise_for_status()
    location_id = location.json()["location_id"]
    hub.wait_for(
        "location linked to the 3PL",
        lambda: (
            http.put(
                f"{hub.url('inventory')}/v1/locations/{location_id}/link",
                json={"fulfillment_integration_id": threepl_id},
            ).status_code
            == 200
        ),
        timeout=60,
    )

    mirakl_state = http.get(f"{hub.url('sandbox_mirakl')}/_sandbox/state").json()
    skus = set(mirakl_state["offers"][str(MIRAKL_SHOP)]) | tiktok.seller_skus()
    products = [{"sku": sku, "product_type": "simple", "title": f"Bench {sku}", "status": "active"} for sku in skus]
    created = http.post(f"{hub.url('catalog')}/v1/products/bulk", json={"products": products})
    created.raise_for_status()

    mirakl_id = connect_mirakl(
        hub,
        products="disabled",
        settings={"syncOrders": False, "ordersStatuses": MIRAKL_STATES, "ordersPollSeconds": 60},
    )
    warehouses = {str(warehouse): [location_id] for warehouse in tiktok.shop.get("warehouse_ids", [])}
    tiktok_integration = connect_tiktok(
        hub,
        settings={
            "products": "disabled",
            "syncOrders": False,
            "holdMinutes": 0,
            "locationPreference": location_id,
            "warehouseMap": warehouses,
        },
    )
    # Routing resolves lines against its projection of the catalog; a product it lacks would stall orders.
    for sku in sorted(skus):
        hub.wait_for(
            f"inventory to know {sku}",
            lambda sku=sku: (
                not http.get(f"{hub.url('inventory')}/v1/availability/simulate", params={"sku": sku}).json()["notes"]
            ),
            timeout=120,
        )
    return {
        "threepl_id": threepl_id,
        "location_id": location_id,
        "mirakl_id": mirakl_id,
        "tiktok_id": tiktok_integration["id"],
        "skus": len(skus),
    }


def generate_orders(hub: Hub, tiktok: TikTokBareClient, count: int) -> tuple[int, int]:
    mirakl_count, tiktok_count = count // 2, count - count // 2
    mirakl = hub.http.post(
        f"{hub.url('sandbox_mirakl')}/_sandbox/orders/generate",
        json={"shop_id": MIRAKL_SHOP, "count": mirakl_count, "state": "SHIPPING"},
        timeout=600,
    )
    mirakl.raise_for_status()
    generated = hub.http.post(
        f"{hub.url('sandbox_tiktok')}/_sandbox/orders/generate",
        json={
            "shop_id": tiktok.shop["id"],
            "count": tiktok_count,
            "status": "AWAITING_SHIPMENT",
            "fulfillment_type": "FULFILLMENT_BY_SELLER",
        },
        timeout=600,
    )
    generated.raise_for_status()
    return mirakl_count, tiktok_count


def order_counts(hub: Hub) -> Counter:
    counts: Counter = Counter()
    for row in hub.http.get(f"{hub.url('order_routing')}/v1/order-counts").json():
        counts[(row["channel"], row["status"])] += row["orders"]
    return counts


def start_profilers(hub: Hub, folder: Path) -> dict[str, subprocess.Popen]:
    folder.mkdir(parents=True, exist_ok=True)
    py_spy = Path(sys.executable).parent / "py-spy"
    return {
        name: subprocess.Popen(
            [
                str(py_spy),
                "record",
                "--pid",
                str(pid),
                "--rate",
                "50",
                "--nonblocking",
                "--format",
                "raw",
                "--output",
                str(folder / f"{name}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=open(folder / f"{name}.py-spy.log", "w"),  # noqa: SIM115 - closed with the process
        )
        for name, pid in hub.service_pids().items()
    }


def stop_profilers(profilers: dict[str, subprocess.Popen]) -> None:
    for process in profilers.values():
        process.send_signal(signal.SIGINT)
    for process in profilers.values():
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


def summarize_profile(path: Path, top: int = 12) -> list[str]:
    """Read py-spy's collapsed stacks and return the functions with the most samples, own time and in total."""
    own: Counter = Counter()
    inclusive: Counter = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, samples = line.rpartition(" ")
        if not stack or not samples.isdigit():
            continue
        count = int(samples)
        total += count
        frames = stack.split(";")
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    if not total:
        return ["  no samples"]
    lines = [f"  {total} samples; own time:"]
    lines += [f"    {count / total:6.1%}  {frame}" for frame, count in own.most_common(top)]
    return lines


def main() -> int:
    args = parse_args()
    extra_env = {
        "CROSSDOCK_TOPIC_PARTITIONS": "6",
        "CROSSDOCK_MIRAKL_WORKER_TICK_SECONDS": "0.2",
        "CROSSDOCK_ROUTING_DISPATCH_INTERVAL_SECONDS": "0.2",
    }
    with bench_stack(
        name="ingest", time_scale=args.time_scale, port_offset=args.port_offset, extra_env=extra_env
    ) as hub:
        tiktok = tiktok_bare_client(hub)
        ids = setup(hub, tiktok)
        time.sleep(10)  # Lets startup and setup work finish, so the reading is of an idle process.
        idle = {name: rss_megabytes(pid) for name, pid in hub.service_pids().items()}

        generate_started = time.monotonic()
        mirakl_count, tiktok_count = generate_orders(hub, tiktok, args.orders)
        generate_seconds = time.monotonic() - generate_started

        bare_started = time.monotonic()
        now = int(time.time())
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            mirakl_read = pool.submit(lambda: (read_mirakl_orders(hub.url("sandbox_mirakl")), time.monotonic()))
            tiktok_read = pool.submit(lambda: (tiktok.read_orders(0, now + 1), time.monotonic()))
            (mirakl_served, mirakl_done), (tiktok_served, tiktok_done) = mirakl_read.result(), tiktok_read.result()
        bare_seconds = max(mirakl_done, tiktok_done) - bare_started
        bare_rate = (mirakl_served + tiktok_served) / bare_seconds

        profilers = start_profilers(hub, args.profile) if args.profile else {}
        expected = mirakl_count + tiktok_count
        progress = []
        with RssSampler(hub.service_pids()) as memory:
            started = time.monotonic()
            hub.http.patch(
                f"{hub.url('mirakl_connector')}/v1/integrations/{ids['mirakl_id']}/settings", json={"syncOrders": True}
            ).raise_for_status()
            hub.http.patch(
                f"{hub.url('tiktok_connector')}/v1/integrations/{ids['tiktok_id']}/settings", json={"syncOrders": True}
            ).raise_for_status()

            def all_acknowledged():
                counts = order_counts(hub)
                done = sum(count for (_channel, status), count in counts.items() if status in ACKNOWLEDGED)
                progress.append((time.monotonic() - started, sum(counts.values()), done))
                return counts if done >= expected else None

            try:
                final = hub.wait_for(
                    "every order acknowledged by the 3PL", all_acknowledged, timeout=args.timeout, interval=1
                )
            except TimeoutError:
                final = order_counts(hub)
                print(f"NOT FINISHED after {args.timeout:.0f} s: {dict(final)}")
            elapsed = time.monotonic() - started
        if profilers:
            stop_profilers(profilers)

    acknowledged = sum(count for (_channel, status), count in final.items() if status in ACKNOWLEDGED)
    rate = acknowledged / elapsed
    print(
        f"orders generated:          {expected} ({mirakl_count} Mirakl SHIPPING, {tiktok_count} TikTok "
        f"AWAITING_SHIPMENT) over {ids['skus']} SKUs in {generate_seconds:.0f} s"
    )
    print(f"settings:                  time scale {args.time_scale}, holdMinutes 0, 3PL auto-ship off, {extra_env}")
    print(
        f"bare client, both sandboxes at once: {mirakl_served} + {tiktok_served} orders in {bare_seconds:.1f} s "
        f"= {bare_rate:.0f} orders/s (Mirakl alone {mirakl_served / (mirakl_done - bare_started):.0f}/s, "
        f"TikTok alone {tiktok_served / (tiktok_done - bare_started):.0f}/s)"
    )
    print(
        f"hub, pull start -> 3PL acknowledged: {acknowledged} orders in {elapsed:.1f} s = {rate:.0f} orders/s "
        f"(target >= 500); ratio to bare {rate / bare_rate:.2f} (target >= 0.50)"
    )
    print("final order counts:        " + ", ".join(f"{c}/{s} {n}" for (c, s), n in sorted(final.items())))
    checkpoints = progress[:: max(1, len(progress) // 8)] + progress[-1:]
    print("progress (s, orders in hub, acknowledged): " + "; ".join(f"{t:.0f}s {n} {d}" for t, n, d in checkpoints))
    for name in idle:
        print(
            f"{name:18s} RSS idle {idle[name]:5.0f} MB (target <= {IDLE_TARGET_MB}), "
            f"peak under load {memory.peak[name]:5.0f} MB (target <= {LOAD_TARGET_MB})"
        )
    for name in profilers:
        print(f"py-spy profile of {name} ({args.profile / (name + '.txt')}):")
        print("\n".join(summarize_profile(args.profile / f"{name}.txt")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
