"""The warehouse floor: packs and ships shipping requests, on a timer or on a manual action.

A package counts as shipped the moment its shipment record exists, before the
hub hears of it, as in a real warehouse where the parcel has left whatever
happens to the notification. From then on a cancellation answers 409.
"""

import asyncio
import logging
import uuid
from datetime import UTC, datetime

from crossdock_sandbox.threepl.delivery import ShipmentPoster
from crossdock_sandbox.threepl.models import Shipment, ShipmentLine
from crossdock_sandbox.threepl.packing import limit_to_remaining, split_into_packages
from crossdock_sandbox.threepl.problems import AlreadyCancelled, InvalidBody, QuantityExceedsRemaining
from crossdock_sandbox.threepl.store import Account, SandboxStore, ShipmentRecord, ShippingRequestRecord

logger = logging.getLogger(__name__)


class Shipper:
    """Create shipments for shipping requests and hand them to the poster."""

    def __init__(self, *, store: SandboxStore, poster: ShipmentPoster) -> None:
        self._store = store
        self._poster = poster
        self._timers: dict[tuple[str, str], asyncio.Task[None]] = {}

    def schedule(self, record: ShippingRequestRecord) -> None:
        """Start the request's automatic shipping timer, unless its plan turns automatic shipping off."""
        if not record.plan.auto_ship:
            return
        key = (record.account_id, record.request_id)
        task = asyncio.create_task(self._ship_on_plan(record), name=f"ship {record.account_id}/{record.request_id}")
        self._timers[key] = task
        task.add_done_callback(lambda _: self._timers.pop(key, None))

    def unschedule(self, record: ShippingRequestRecord) -> None:
        """Stop the automatic shipping timer of a cancelled request, if it still waits."""
        task = self._timers.pop((record.account_id, record.request_id), None)
        if task is not None:
            task.cancel()

    async def ship_now(
        self,
        record: ShippingRequestRecord,
        *,
        lines: list[ShipmentLine] | None,
        packages: int,
        allow_over_ship: bool,
    ) -> list[ShipmentRecord]:
        """Ship the given units, or everything left, in `packages` packages, and wait for every delivery."""
        if record.cancellation is not None:
            raise AlreadyCancelled(f"shipping request {record.request_id!r} was cancelled and cannot ship")

        quantities = self._units_to_ship(record, lines, allow_over_ship=allow_over_ship)
        account = self._store.account(record.account_id)
        shipments = [
            self._create_shipment(record, account, package) for package in split_into_packages(quantities, packages)
        ]

        for shipment in shipments:
            await self._poster.deliver(account, shipment)
        return shipments

    async def resend(self, shipment: ShipmentRecord) -> None:
        """Post an existing shipment again with the same shipment_id, to exercise the hub's de-duplication."""
        account = self._store.account(shipment.account_id)
        await self._poster.deliver(account, shipment)

    async def aclose(self) -> None:
        """Cancel every automatic shipping task, including its delivery in progress, and wait until they end."""
        tasks = list(self._timers.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._timers.clear()

    async def _ship_on_plan(self, record: ShippingRequestRecord) -> None:
        plan = record.plan
        try:
            await asyncio.sleep(plan.ship_delay_seconds)

            packages = split_into_packages(record.remaining_quantities(), plan.packages)
            if plan.auto_packages is not None:
                packages = packages[: plan.auto_packages]

            for index, planned in enumerate(packages):
                if index > 0:
                    await asyncio.sleep(plan.package_interval_seconds)
                if record.cancellation is not None:
                    logger.info(
                        "request %s of account %s was cancelled; not shipping", record.request_id, record.account_id
                    )
                    return

                package = limit_to_remaining(planned, record.remaining_quantities())
                if not package:
                    continue
                account = self._store.account(record.account_id)
                shipment = self._create_shipment(record, account, package)
                await self._poster.deliver(account, shipment)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception(
                "automatic shipping of request %s for account %s failed", record.request_id, record.account_id
            )

    def _units_to_ship(
        self, record: ShippingRequestRecord, lines: list[ShipmentLine] | None, *, allow_over_ship: bool
    ) -> dict[str, int]:
        remaining = record.remaining_quantities()
        if lines is None:
            return {line_id: units for line_id, units in remaining.items() if units > 0}

        quantities: dict[str, int] = {}
        for index, line in enumerate(lines):
            if line.line_id not in remaining:
                raise InvalidBody(
                    f"lines[{index}].line_id: {line.line_id!r} is not a line of request {record.request_id!r}",
                    errors=[
                        {
                            "pointer": f"#/lines/{index}/line_id",
                            "field": f"lines[{index}].line_id",
                            "detail": "unknown line",
                        }
                    ],
                )
            quantities[line.line_id] = quantities.get(line.line_id, 0) + line.quantity

        if not allow_over_ship:
            for line_id, units in quantities.items():
                if units > remaining[line_id]:
                    raise QuantityExceedsRemaining(
                        f"line {line_id!r}: {units} units asked, {remaining[line_id]} left to ship; "
                        "lower the quantity or set allow_over_ship",
                        errors=[{"line_id": line_id, "requested": units, "remaining": remaining[line_id]}],
                    )
        return quantities

    def _create_shipment(
        self, record: ShippingRequestRecord, account: Account, lines: list[ShipmentLine]
    ) -> ShipmentRecord:
        carrier, tracking_number = self._carrier_and_tracking(record, account)
        body = Shipment(
            request_id=record.request_id,
            shipment_id=f"shp-{uuid.uuid4().hex[:24]}",
            lines=lines,
            carrier=carrier,
            tracking_number=tracking_number,
            tracking_url=account.tracking_url_template.format(tracking_number=tracking_number),
            shipped_at=datetime.now(UTC),
        )
        shipment = ShipmentRecord(account_id=account.account_id, body=body)
        self._store.add_shipment(record, shipment)
        logger.info(
            "shipped %s of request %s for account %s: %s",
            body.shipment_id,
            record.request_id,
            account.account_id,
            ", ".join(f"{line.line_id} x{line.quantity}" for line in lines),
        )
        return shipment

    def _carrier_and_tracking(self, record: ShippingRequestRecord, account: Account) -> tuple[str, str]:
        # A channel label fixes carrier and tracking number, but one label covers one parcel,
        # so only the first package uses it and later packages get the sandbox's own numbers.
        label = record.request.label
        if label is not None and label.tracking_number and not record.shipments:
            return label.carrier or account.carrier, label.tracking_number
        return account.carrier, f"SBX{uuid.uuid4().int % 10**12:012d}"
