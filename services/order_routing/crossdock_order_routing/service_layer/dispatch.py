"""Background dispatch of shipping requests and cancellations to 3PLs.

The consumer only records shipping requests (with their exact body) in the
transaction that routes an order; this job sends them, outside any
transaction, and records the response. It runs on one replica at a time
(`PeriodicJob`). A request is marked as attempted before it is sent, so a
request that a crash interrupted is known to be possibly stored by the 3PL.
"""

import asyncio
import logging
from datetime import timedelta

import asyncpg
import httpx
from crossdock_common.http.errors import ClientError
from crossdock_common.jobs import PeriodicJob
from crossdock_common.service import ServiceRuntime

from crossdock_order_routing.adapters.threepl import ThreePLClient
from crossdock_order_routing.service_layer.records import add_history, lock_order, set_status

logger = logging.getLogger(__name__)

BATCH_SIZE = 50
# Requests of one round are sent this many at a time: a 3PL call mostly waits on the network, and
# one at a time capped dispatch at one round trip per request. Each send uses a pool connection
# only briefly, so the consumers keep most of the pool (10 connections).
SEND_CONCURRENCY = 4


class Dispatcher:
    """Sends due shipping requests and cancellations every `dispatch_interval_seconds`."""

    def __init__(self, runtime: ServiceRuntime, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self.transport = transport
        self._job: PeriodicJob | None = None

    async def start(self) -> None:
        self._job = PeriodicJob(
            pool=self.runtime.pool,
            name="order_routing.dispatch",
            work=self.run_once,
            interval=timedelta(seconds=self.settings.dispatch_interval_seconds),
        )
        await self._job.start()

    async def stop(self) -> None:
        if self._job is not None:
            await self._job.stop()

    async def run_once(self) -> None:
        """Send every due shipping request, then every due cancellation."""
        await self._send_requests()
        await self._send_cancellations()

    def client_for(self, row: asyncpg.Record) -> ThreePLClient:
        return ThreePLClient(
            base_url=row["url"],
            secret=self.runtime.secret_box.decrypt(row["secret_encrypted"]),
            integration_id=row["fulfillment_integration_id"],
            timeout=self.settings.threepl_timeout_seconds,
            attempts=self.settings.threepl_attempts,
            backoff_seconds=self.settings.threepl_backoff_seconds,
            transport=self.transport,
        )

    async def _send_requests(self) -> None:
        async with self.runtime.pool.acquire() as connection:
            rows = await connection.fetch(
                "SELECT r.*, t.url, t.secret_encrypted FROM shipping_requests r "
                "JOIN threepl_integrations t ON t.integration_id = r.fulfillment_integration_id "
                "WHERE r.status = 'pending' AND r.cancel_status IS NULL AND r.next_attempt_at <= now() "
                "ORDER BY r.created_at LIMIT $1",
                BATCH_SIZE,
            )
        limit = asyncio.Semaphore(SEND_CONCURRENCY)

        async def send(row: asyncpg.Record) -> None:
            async with limit:
                await self._send_request(row)

        await asyncio.gather(*(send(row) for row in rows))

    async def _send_request(self, row: asyncpg.Record) -> None:
        request_id = row["request_id"]
        async with self.runtime.pool.acquire() as connection:
            attempts = await connection.fetchval(
                "UPDATE shipping_requests SET attempts = attempts + 1 WHERE request_id = $1 AND status = 'pending' "
                "AND cancel_status IS NULL RETURNING attempts",
                request_id,
            )
        if attempts is None:
            return
        try:
            response = await self.client_for(row).create_shipping_request(bytes(row["body"]))
        except ClientError as error:
            await self._request_failed(row, attempts, error)
            return
        logger.info(
            "3PL acknowledged shipping request %s with %s",
            request_id,
            response.status_code,
            extra={"order_id": row["order_id"], "integration_id": row["fulfillment_integration_id"]},
        )
        await self._request_acknowledged(row)

    async def _request_acknowledged(self, row: asyncpg.Record) -> None:
        async with self.runtime.pool.acquire() as connection, connection.transaction():
            order = await lock_order(connection, row["order_id"])
            await connection.execute(
                "UPDATE shipping_requests SET status = 'acknowledged', acknowledged_at = now(), last_error = NULL "
                "WHERE request_id = $1 AND status = 'pending'",
                row["request_id"],
            )
            await add_history(
                connection, order["order_id"], kind="dispatch", detail=f"{row['request_id']} acknowledged"
            )
            unacknowledged = await connection.fetchval(
                "SELECT count(*) FROM shipping_requests WHERE order_id = $1 AND status IN ('pending', 'failed')",
                order["order_id"],
            )
            if order["status"] == "routed" and unacknowledged == 0:
                await set_status(
                    self.runtime,
                    connection,
                    order,
                    status="sent_to_fulfillment",
                    reason=None,
                    detail="every shipping request acknowledged by its 3PL",
                )

    async def _request_failed(self, row: asyncpg.Record, attempts: int, error: ClientError) -> None:
        message = f"{error}" + (f": {error.body[:500]}" if error.body else "")
        give_up = not error.retriable or attempts >= self.settings.dispatch_rounds
        logger.warning(
            "sending shipping request %s failed (round %s): %s",
            row["request_id"],
            attempts,
            message,
            extra={"order_id": row["order_id"], "integration_id": row["fulfillment_integration_id"]},
        )
        async with self.runtime.pool.acquire() as connection, connection.transaction():
            if give_up:
                await connection.execute(
                    "UPDATE shipping_requests SET status = 'failed', last_error = $2 WHERE request_id = $1",
                    row["request_id"],
                    message,
                )
                reason = f"3PL did not accept shipping request {row['request_id']}: {message}; fix and retry the order"
                await connection.execute(
                    "UPDATE orders SET needs_attention = true, attention_reason = $2, "
                    "status_detail = $2 WHERE order_id = $1",
                    row["order_id"],
                    reason,
                )
                await add_history(connection, row["order_id"], kind="dispatch_failed", detail=reason)
            else:
                delay = timedelta(seconds=self.settings.dispatch_round_delay_seconds)
                await connection.execute(
                    "UPDATE shipping_requests SET last_error = $2, next_attempt_at = now() + "
                    "$3::interval WHERE request_id = $1",
                    row["request_id"],
                    message,
                    delay,
                )

    async def _send_cancellations(self) -> None:
        async with self.runtime.pool.acquire() as connection:
            rows = await connection.fetch(
                "SELECT r.*, t.url, t.secret_encrypted FROM shipping_requests r "
                "JOIN threepl_integrations t ON t.integration_id = r.fulfillment_integration_id "
                "WHERE r.cancel_status = 'pending' AND r.cancel_next_attempt_at <= now() "
                "ORDER BY r.created_at LIMIT $1",
                BATCH_SIZE,
            )
        for row in rows:
            await self._send_cancellation(row)

    async def _send_cancellation(self, row: asyncpg.Record) -> None:
        request_id = row["request_id"]
        async with self.runtime.pool.acquire() as connection:
            attempts = await connection.fetchval(
                "UPDATE shipping_requests SET cancel_attempts = cancel_attempts + 1 WHERE request_id = $1 "
                "AND cancel_status = 'pending' RETURNING cancel_attempts",
                request_id,
            )
        if attempts is None:
            return
        try:
            response = await self.client_for(row).cancel_shipping_request(request_id, "order cancelled on its channel")
        except ClientError as error:
            await self._cancellation_failed(row, attempts, error)
            return

        if response.status_code == 409:
            outcome, request_status = "too_late", row["status"]
            note = f"3PL answered that {request_id} already shipped (409); wait for its shipments"
        else:
            # 404: the 3PL never stored the request, so nothing of it will ship.
            outcome, request_status = "cancelled", "cancelled"
            note = f"3PL cancelled {request_id} ({response.status_code})"
        async with self.runtime.pool.acquire() as connection, connection.transaction():
            await connection.execute(
                "UPDATE shipping_requests SET cancel_status = $2, status = $3, "
                "cancel_last_error = NULL WHERE request_id = $1",
                request_id,
                outcome,
                request_status,
            )
            await add_history(connection, row["order_id"], kind="cancellation", detail=note)
            if outcome == "too_late":
                await connection.execute(
                    "UPDATE orders SET needs_attention = true, attention_reason = $2 WHERE order_id = $1",
                    row["order_id"],
                    note,
                )
        logger.info(note, extra={"order_id": row["order_id"]})

    async def _cancellation_failed(self, row: asyncpg.Record, attempts: int, error: ClientError) -> None:
        message = f"{error}" + (f": {error.body[:500]}" if error.body else "")
        give_up = not error.retriable or attempts >= self.settings.dispatch_rounds
        logger.warning(
            "cancelling shipping request %s failed (round %s): %s",
            row["request_id"],
            attempts,
            message,
            extra={"order_id": row["order_id"]},
        )
        async with self.runtime.pool.acquire() as connection, connection.transaction():
            if give_up:
                await connection.execute(
                    "UPDATE shipping_requests SET cancel_status = 'failed', "
                    "cancel_last_error = $2 WHERE request_id = $1",
                    row["request_id"],
                    message,
                )
                reason = f"cancelling {row['request_id']} at the 3PL failed: {message}; cancel it with the 3PL directly"
                await connection.execute(
                    "UPDATE orders SET needs_attention = true, attention_reason = $2 WHERE order_id = $1",
                    row["order_id"],
                    reason,
                )
                await add_history(connection, row["order_id"], kind="cancellation_failed", detail=reason)
            else:
                await connection.execute(
                    "UPDATE shipping_requests SET cancel_last_error = $2, "
                    "cancel_next_attempt_at = now() + $3::interval WHERE request_id = $1",
                    row["request_id"],
                    message,
                    timedelta(seconds=self.settings.dispatch_round_delay_seconds),
                )
