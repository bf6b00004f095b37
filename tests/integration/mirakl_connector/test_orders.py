"""Order pull, acceptance and commands against the Mirakl sandbox."""

import json
import time

import pytest
from crossdock_sandbox.mirakl.seed import SeedRequest

from .conftest import connected_integration, publish_product, start_sandbox, stop_sandbox
from .helpers import CrashOnce, RepeatFirstPage, fetch, fetchval, fixture_order, run, sandbox_orders

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

DEFAULT_STATES = "WAITING_ACCEPTANCE,REFUSED,CANCELED"


@pytest.fixture
async def sandbox_23():
    running, handles = await start_sandbox(SeedRequest(order_count=23, order_states=("WAITING_ACCEPTANCE",)))
    yield running
    await stop_sandbox(running, handles)


def walk_offsets(requests: list[dict]) -> list[str]:
    """Return the offsets of incremental-walk pages that got 200; pages rate-limited with 429 are retried."""
    return [
        entry["query"]["offset"][0]
        for entry in requests
        if entry["status"] == 200
        and "order_ids" not in entry["query"]
        and entry["query"].get("order_state_codes") == [DEFAULT_STATES]
    ]


async def test_pull_walks_23_orders_in_pages_of_10(make_connector, sandbox_23):
    async with make_connector(worker_enabled=False, orders_page_size=10) as harness:
        view = await connected_integration(harness, sandbox_23)
        counts = await run(harness, view["integration_id"], "orders")
        received = await harness.wait_for_event("order.received", lambda e: len(harness.events("order.received")) >= 23)
        requests = await sandbox_23.requests("OR11")

    ids = [event.payload.external_id for event in harness.events("order.received")]
    assert received is not None
    assert len(ids) == 23
    assert len(set(ids)) == 23
    assert walk_offsets(requests) == ["0", "10", "20"]
    walk = [entry for entry in requests if entry["query"].get("order_state_codes") == [DEFAULT_STATES]]
    assert all(entry["query"]["max"] == ["10"] for entry in walk)
    assert counts["orders_received"] == 23


async def test_pull_resumes_after_restart_mid_walk(make_connector, sandbox_23):
    crash = CrashOnce(lambda request: request.url.params.get("offset") == "10")
    async with make_connector(worker_enabled=False, orders_page_size=10) as harness:
        view = await connected_integration(harness, sandbox_23)
        integration_id = view["integration_id"]
        harness.runtime.extras["mirakl_transport"] = crash
        with pytest.raises(RuntimeError, match="worker killed"):
            await run(harness, integration_id, "orders")
        cursor = await fetchval(harness, "SELECT cursor FROM cursors WHERE integration_id = $1", integration_id)
        ingested_before = await fetchval(harness, "SELECT count(*) FROM orders")

        await run(harness, integration_id, "orders")
        await harness.wait_for_event("order.received", lambda e: len(harness.events("order.received")) >= 23)
        requests = await sandbox_23.requests("OR11")

    ids = [event.payload.external_id for event in harness.events("order.received")]
    assert cursor["walk"]["offset"] == 10
    assert ingested_before == 10
    assert len(ids) == 23
    assert len(set(ids)) == 23
    assert walk_offsets(requests) == ["0", "10", "20"]


async def test_pull_aborts_when_page_repeats(make_connector, sandbox_23):
    async with make_connector(worker_enabled=False, orders_page_size=10) as harness:
        view = await connected_integration(harness, sandbox_23)
        integration_id = view["integration_id"]
        harness.runtime.extras["mirakl_transport"] = RepeatFirstPage()
        counts = await run(harness, integration_id, "orders")
        status = (await harness.client.get(f"/v1/integrations/{integration_id}/status", headers=harness.auth())).json()
        cursor = await fetchval(harness, "SELECT cursor FROM cursors WHERE integration_id = $1", integration_id)
        requests = await sandbox_23.requests("OR11")

    assert counts is None
    assert "repeated the previous page" in status["recent_errors"][0]["message"]
    assert status["jobs"]["orders"]["last_success_at"] is None
    assert cursor["walk"] is None
    assert walk_offsets(requests) == ["0"]


async def test_pull_filters_entry_and_follows_tracked_orders(make_connector, sandbox):
    async with make_connector(worker_enabled=False) as harness:
        view = await connected_integration(harness, sandbox)
        integration_id = view["integration_id"]
        await run(harness, integration_id, "orders")
        states = await sandbox_orders(sandbox)
        entered = {
            order_id for order_id, state in states.items() if state in ("WAITING_ACCEPTANCE", "REFUSED", "CANCELED")
        }
        await harness.wait_for_event("order.received", lambda e: len(harness.events("order.received")) >= len(entered))
        waiting = sorted(order_id for order_id in entered if states[order_id] == "WAITING_ACCEPTANCE")[0]

        accepted = await harness.client.post(
            f"/v1/integrations/{integration_id}/orders/{waiting}/accept", json={}, headers=harness.auth()
        )
        await run(harness, integration_id, "commands")
        await sandbox.admin.post(f"/_sandbox/orders/{waiting}/debit")
        await run(harness, integration_id, "orders")
        shipping = await harness.wait_for_event(
            "order.updated", lambda e: e.payload.external_id == waiting and e.payload.channel_status == "SHIPPING"
        )
        result = await harness.wait_for_event(
            "command.result", lambda e: e.payload.command_id == accepted.json()["command_id"]
        )
        status = (await harness.client.get(f"/v1/integrations/{integration_id}/status", headers=harness.auth())).json()

    received = {event.payload.external_id for event in harness.events("order.received")}
    assert received == entered
    assert accepted.status_code == 202
    assert result.payload.status == "succeeded"
    assert shipping.payload.status == "pending"
    assert shipping.payload.status_reason is None
    assert shipping.payload.ship_to is not None
    assert len(shipping.payload.ship_to.country) == 2
    assert status["jobs"]["orders"]["counts"]["orders_received"] == len(entered)
    assert status["jobs"]["commands"]["counts"]["orders_accepted"] == 1
    missed = status["reconciliation"]["missed_orders"]
    assert missed["SHIPPING"] == sum(1 for state in states.values() if state == "SHIPPING")
    assert "SHIPPING" in status["reconciliation"]["states_to_add"]
    assert "STAGING" not in missed


async def test_pull_unknown_sku_still_ingested_and_waits(make_connector, sandbox, shared_dir):
    order = fixture_order(shared_dir, order_id="MK-UNKNOWN-A", order_state="WAITING_ACCEPTANCE")
    order["order_lines"][0]["order_line_state"] = "WAITING_ACCEPTANCE"
    await sandbox.admin.post("/_sandbox/orders/import", json={"shop_id": 2001, "orders": [order]})
    async with make_connector(worker_enabled=False) as harness:
        view = await connected_integration(harness, sandbox, ordersAutoAccept=True)
        integration_id = view["integration_id"]
        await publish_product(harness, integration_id, "BAG-24", channel_sku="24-MB01")
        await harness.wait_until(lambda: _mapping_count(harness, 1))
        await run(harness, integration_id, "orders")
        event = await harness.wait_for_event("order.received", lambda e: e.payload.external_id == "MK-UNKNOWN-A")
        await run(harness, integration_id, "commands")
        waiting = (
            await harness.client.get(
                f"/v1/integrations/{integration_id}/orders/awaiting-acceptance", headers=harness.auth()
            )
        ).json()
        accepts = await sandbox.requests("OR21")

    lines = {line.channel_sku: line.master_sku for line in event.payload.lines}
    assert lines == {"24-MB01": "BAG-24", "24-WG09": None}
    row = next(item for item in waiting if item["order_id"] == "MK-UNKNOWN-A")
    assert row["acceptance_status"] == "waiting_for_person"
    assert "24-WG09" in row["acceptance_reason"]
    assert row["acceptance_deadline"] is not None
    assert [entry for entry in accepts if "MK-UNKNOWN-A" in entry["path"]] == []


async def _mapping_count(harness, expected: int) -> bool:
    return await fetchval(harness, "SELECT count(*) FROM sku_mappings") >= expected


async def test_auto_accept_once_with_every_line(make_connector, sandbox_23):
    async with make_connector(worker_enabled=False) as harness:
        view = await connected_integration(harness, sandbox_23, ordersAutoAccept=True)
        integration_id = view["integration_id"]
        offers = (await sandbox_23.state())["offers"]["2001"]
        for sku in offers:
            await publish_product(harness, integration_id, sku)
        await harness.wait_until(lambda: _mapping_count(harness, len(offers)))
        await run(harness, integration_id, "orders")
        await run(harness, integration_id, "commands")
        await run(harness, integration_id, "commands")
        accepts = await sandbox_23.requests("OR21")
        states = await sandbox_orders(sandbox_23)
        results = await harness.wait_for_event("command.result", lambda e: len(harness.events("command.result")) >= 20)

    accepted_orders = [entry["path"].split("/")[3] for entry in accepts]
    assert results is not None
    assert len(accepted_orders) == 23  # one commands run does a batch of 20, the next the rest
    assert len(set(accepted_orders)) == 23
    assert all(entry["status"] == 204 for entry in accepts)
    assert all(
        all(decision["accepted"] is True for decision in json.loads(entry["body"])["order_lines"]) for entry in accepts
    )
    assert all(state != "WAITING_ACCEPTANCE" for state in states.values())


async def test_accept_after_customer_cancel_records_cancelled(make_connector, sandbox):
    async with make_connector(worker_enabled=False) as harness:
        view = await connected_integration(harness, sandbox, ordersAutoAccept=True)
        integration_id = view["integration_id"]
        offers = (await sandbox.state())["offers"]["2001"]
        for sku in offers:
            await publish_product(harness, integration_id, sku)
        await harness.wait_until(lambda: _mapping_count(harness, len(offers)))
        await run(harness, integration_id, "orders")
        queued = await fetch(harness, "SELECT * FROM order_commands ORDER BY order_id")
        order_id = queued[0]["order_id"]
        await sandbox.admin.post(f"/_sandbox/orders/{order_id}/customer-cancel")

        await run(harness, integration_id, "commands")
        cancelled = await harness.wait_for_event("order.updated", lambda e: e.payload.external_id == order_id)
        result = await harness.wait_for_event(
            "command.result", lambda e: e.payload.command_id == queued[0]["command_id"]
        )
        command = await fetchval(
            harness, "SELECT status FROM order_commands WHERE command_id = $1", queued[0]["command_id"]
        )
        accepts = [entry for entry in await sandbox.requests("OR21") if order_id in entry["path"]]

    assert len(queued) >= 1
    assert cancelled.payload.status == "cancelled"
    assert cancelled.payload.channel_status == "CANCELED"
    assert result.payload.status == "failed"
    assert "CANCELED" in result.payload.message
    assert command == "failed"
    assert len(accepts) == 1
    assert accepts[0]["status"] == 400


async def test_refuse_command_event_refuses_every_line(make_connector, sandbox):
    async with make_connector(worker_enabled=False) as harness:
        view = await connected_integration(harness, sandbox)
        integration_id = view["integration_id"]
        await run(harness, integration_id, "orders")
        states = await sandbox_orders(sandbox)
        order_id = sorted(order for order, state in states.items() if state == "WAITING_ACCEPTANCE")[0]
        command = harness.event(
            type="command.order.refuse",
            payload={
                "command_id": "cmd-refuse-1",
                "integration_id": integration_id,
                "channel": "mirakl",
                "external_id": order_id,
                "requested_by": "order_routing",
            },
            key=order_id,
        )
        await harness.publish(command)
        await harness.wait_until(lambda: _command_stored(harness, "cmd-refuse-1"))
        await run(harness, integration_id, "commands")
        result = await harness.wait_for_event("command.result", lambda e: e.payload.command_id == "cmd-refuse-1")
        refusal = [entry for entry in await sandbox.requests("OR21") if order_id in entry["path"]]
        await run(harness, integration_id, "orders")
        refused = await harness.wait_for_event(
            "order.updated", lambda e: e.payload.external_id == order_id and e.payload.status == "refused"
        )

    assert result.payload.status == "succeeded"
    assert result.payload.command_type == "command.order.refuse"
    decisions = json.loads(refusal[0]["body"])["order_lines"]
    assert decisions
    assert all(decision["accepted"] is False for decision in decisions)
    assert refused.payload.channel_status == "REFUSED"


async def _command_stored(harness, command_id: str) -> bool:
    return bool(await fetchval(harness, "SELECT count(*) FROM order_commands WHERE command_id = $1", command_id))


async def test_pull_late_visible_order_ingested_once(make_connector, sandbox, shared_dir):
    first = fixture_order(
        shared_dir,
        order_id="MK-1-A",
        order_state="WAITING_ACCEPTANCE",
        created_date="2024-03-01T10:05:00Z",
        last_updated_date="2024-03-01T10:05:00Z",
    )
    late = fixture_order(
        shared_dir,
        order_id="MK-0-A",
        order_state="WAITING_ACCEPTANCE",
        created_date="2024-03-01T10:02:00Z",
        last_updated_date="2024-03-01T10:30:00Z",
    )
    await sandbox.admin.post("/_sandbox/seed", json={"order_count": 0})
    await sandbox.admin.post("/_sandbox/orders/import", json={"shop_id": 2001, "orders": [first]})
    async with make_connector(worker_enabled=False) as harness:
        view = await connected_integration(harness, sandbox)
        integration_id = view["integration_id"]
        await run(harness, integration_id, "orders")
        cursor = await fetchval(harness, "SELECT cursor FROM cursors WHERE integration_id = $1", integration_id)
        await sandbox.admin.post("/_sandbox/orders/import", json={"shop_id": 2001, "orders": [late]})
        await run(harness, integration_id, "orders")
        await harness.wait_for_event("order.received", lambda e: e.payload.external_id == "MK-0-A")
        requests = await sandbox.requests("OR11")

    received = [event.payload.external_id for event in harness.events("order.received")]
    assert sorted(received) == ["MK-0-A", "MK-1-A"]
    assert harness.events("order.updated") == []
    assert cursor["since"].startswith("2024-03-01T10:05:00")
    second_walk = [entry for entry in requests if "start_update_date" in entry["query"]]
    assert second_walk[0]["query"]["start_update_date"][0].startswith("2024-03-01T10:00:00")


async def test_pull_fixture_orders_become_canonical(make_connector, sandbox, shared_dir):
    taxes = fixture_order(shared_dir, "order-with-taxes.json")
    received = fixture_order(shared_dir, "order-received-state.json")
    await sandbox.admin.post("/_sandbox/orders/import", json={"shop_id": 2001, "orders": [taxes, received]})
    async with make_connector(worker_enabled=False) as harness:
        view = await connected_integration(harness, sandbox, ordersStatuses=["SHIPPING", "RECEIVED"])
        await run(harness, view["integration_id"], "orders")
        with_taxes = await harness.wait_for_event("order.received", lambda e: e.payload.external_id == "000000086-A")
        old = await harness.wait_for_event("order.received", lambda e: e.payload.external_id == "DKFSLFKZ-SDF993-A")

    assert str(with_taxes.payload.total) == "94.12"
    assert str(with_taxes.payload.lines[0].unit_price) == "7.82"
    assert with_taxes.payload.created_at.utcoffset().total_seconds() == 0
    assert with_taxes.payload.ship_to.country == "FR"
    assert with_taxes.payload.status == "pending"
    assert old.payload.status == "fulfilled"
    assert old.payload.lines[0].line_id == "MY-LINE"


async def test_pull_waits_on_429_without_error(make_connector, sandbox):
    fault = await sandbox.admin.post(
        "/_sandbox/faults",
        json={"kind": "429", "count": 1, "path_prefix": "/api/orders", "method": "GET", "retry_after_seconds": 1},
    )
    assert fault.status_code == 200
    async with make_connector(worker_enabled=False, http_max_attempts=1) as harness:
        view = await connected_integration(harness, sandbox)
        started = time.monotonic()
        counts = await run(harness, view["integration_id"], "orders")
        elapsed = time.monotonic() - started
        errors = await fetchval(harness, "SELECT count(*) FROM integration_errors")
        requests = await sandbox.requests()

    assert counts["orders_received"] >= 1
    assert errors == 0
    assert elapsed >= 1.0
    assert [entry["status"] for entry in requests if entry["path"] == "/api/orders"][0] == 429
