"""The order state machine, applied to orders stored as Mirakl OR11 payloads.

Orders live as the JSON documents OR11 serves, so public example payloads can
be loaded unchanged; every transition edits the states and dates in place.
"""

import copy
from datetime import datetime, timedelta
from functools import cached_property

from crossdock_sandbox.mirakl.clock import format_datetime, parse_datetime
from crossdock_sandbox.mirakl.errors import MiraklApiError

ORDER_STATES = (
    "STAGING",
    "WAITING_ACCEPTANCE",
    "WAITING_DEBIT",
    "WAITING_DEBIT_PAYMENT",
    "SHIPPING",
    "SHIPPED",
    "TO_COLLECT",
    "RECEIVED",
    "CLOSED",
    "REFUSED",
    "CANCELED",
)

# Usual Mirakl flow; the operator-side steps (release from STAGING, debit,
# receipt, closing) are driven by the admin API or by the automatic timers.
TRANSITIONS: dict[str, frozenset[str]] = {
    "STAGING": frozenset({"WAITING_ACCEPTANCE", "CANCELED"}),
    "WAITING_ACCEPTANCE": frozenset({"WAITING_DEBIT", "REFUSED", "CANCELED"}),
    "WAITING_DEBIT": frozenset({"WAITING_DEBIT_PAYMENT", "SHIPPING", "CANCELED"}),
    "WAITING_DEBIT_PAYMENT": frozenset({"SHIPPING", "CANCELED"}),
    "SHIPPING": frozenset({"SHIPPED", "CANCELED"}),
    "SHIPPED": frozenset({"RECEIVED"}),
    "TO_COLLECT": frozenset({"RECEIVED"}),
    "RECEIVED": frozenset({"CLOSED"}),
    "CLOSED": frozenset(),
    "REFUSED": frozenset(),
    "CANCELED": frozenset(),
}

# Line states that later order transitions leave alone.
FINAL_LINE_STATES = frozenset({"REFUSED", "CANCELED"})
# States in which the shipping and billing addresses are hidden unless PC01
# `shipping_and_billing_details_before_acceptance` is on.
ADDRESS_HIDDEN_STATES = frozenset(
    {"STAGING", "WAITING_ACCEPTANCE", "WAITING_DEBIT", "WAITING_DEBIT_PAYMENT", "REFUSED"}
)


def state_error(expected: str | tuple[str, ...], actual: str, *, code: str = "ORDER_INVALID_STATE") -> MiraklApiError:
    wanted = expected if isinstance(expected, str) else "' or '".join(expected)
    return MiraklApiError(400, f"The order status must be '{wanted}' but it is '{actual}'.", code=code)


def line_cancelation(
    *, cancelation_id: str, amount: float, shipping_amount: float, quantity: int, reason_code: str, stamp: str
) -> dict:
    """Return the cancellation entry OR11 shows on an order line."""
    return {
        "id": cancelation_id,
        "amount": amount,
        "shipping_amount": shipping_amount,
        "quantity": quantity,
        "reason_code": reason_code,
        "created_date": stamp,
        # The sandbox charges no commission, so nothing is given back.
        "commission_amount": 0,
        "commission_taxes": [],
        "commission_total_amount": 0,
    }


class OrderRecord:
    """One shop order: its OR11 payload plus the sandbox's timers for it."""

    def __init__(self, *, shop_id: int, payload: dict, entered_state_at: float, sequence: int):
        self.shop_id = shop_id
        self.payload = payload
        self.entered_state_at = entered_state_at
        self.sequence = sequence
        self._updated_cache: tuple[str, datetime] | None = None
        # Addresses stay visible for orders loaded past the hidden states.
        self.address_released = payload.get("order_state") not in ADDRESS_HIDDEN_STATES

    @property
    def order_id(self) -> str:
        return self.payload["order_id"]

    @cached_property
    def created_at(self) -> datetime:
        """Return the parsed `created_date`, which no transition changes; OR11 sorts every page by it."""
        return parse_datetime(self.payload["created_date"])

    @property
    def updated_at(self) -> datetime:
        """Return the parsed `last_updated_date`, parsed again only after the text changes."""
        raw = self.payload["last_updated_date"]
        if self._updated_cache is None or self._updated_cache[0] != raw:
            self._updated_cache = (raw, parse_datetime(raw))
        return self._updated_cache[1]

    @property
    def state(self) -> str:
        return self.payload["order_state"]

    @property
    def lines(self) -> list[dict]:
        return self.payload.setdefault("order_lines", [])

    def line(self, order_line_id: str) -> dict | None:
        for line in self.lines:
            if str(line.get("order_line_id")) == order_line_id:
                return line
        return None

    def to_payload(self, *, show_addresses_before_acceptance: bool) -> dict:
        """Return the OR11 view, hiding addresses the platform does not show yet."""
        document = copy.deepcopy(self.payload)
        if not (self.address_released or show_addresses_before_acceptance):
            customer = document.get("customer") or {}
            customer.pop("shipping_address", None)
            customer.pop("billing_address", None)
        return document

    # --- transitions -------------------------------------------------------

    def move_to(self, target: str, *, now: datetime, monotonic: float) -> None:
        """Move the order and its open lines to `target`, raising a 400 for a move the flow forbids."""
        allowed = TRANSITIONS.get(self.state, frozenset())
        if target not in allowed:
            raise MiraklApiError(
                400,
                f"The order {self.order_id} cannot go from '{self.state}' to '{target}'.",
                code="ORDER_INVALID_STATE",
            )

        stamp = format_datetime(now)
        self.payload["order_state"] = target
        self.payload["last_updated_date"] = stamp
        for line in self.lines:
            if line.get("order_line_state") in FINAL_LINE_STATES:
                continue
            line["order_line_state"] = target
            line["last_updated_date"] = stamp
        self.entered_state_at = monotonic
        self._apply_state_dates(target, now)
        self.refresh_flags()

    def _apply_state_dates(self, target: str, now: datetime) -> None:
        stamp = format_datetime(now)
        if target == "SHIPPING":
            self.address_released = True
            self.payload["customer_debited_date"] = stamp
            leadtime = int(self.payload.get("leadtime_to_ship") or 2)
            self.payload["shipping_deadline"] = format_datetime(now + timedelta(days=leadtime))
            for line in self._open_lines():
                line["debited_date"] = stamp
        elif target == "SHIPPED":
            for line in self._open_lines():
                line["shipped_date"] = stamp
        elif target == "RECEIVED":
            for line in self._open_lines():
                line["received_date"] = stamp

    def _open_lines(self) -> list[dict]:
        return [line for line in self.lines if line.get("order_line_state") not in FINAL_LINE_STATES]

    def refresh_flags(self) -> None:
        state = self.state
        debited = bool(self.payload.get("customer_debited_date"))
        self.payload["can_shop_ship"] = state == "SHIPPING"
        # OR29 cancels whole orders that the customer has not paid yet.
        self.payload["can_cancel"] = state in ("WAITING_DEBIT", "WAITING_DEBIT_PAYMENT") or (
            state == "SHIPPING" and not debited
        )

    def decide_acceptance(
        self, decisions: dict[str, bool], *, now: datetime, monotonic: float, automatic: bool
    ) -> None:
        """Apply OR21 decisions: refused lines end REFUSED, the order follows the accepted ones."""
        stamp = format_datetime(now)
        for line in self.lines:
            if not decisions.get(str(line["order_line_id"]), False):
                line["order_line_state"] = "REFUSED"
                line["order_line_state_reason_code"] = "REFUSED_BY_SHOP" if not automatic else "AUTO_REFUSED"
                line["last_updated_date"] = stamp

        # Mirakl leaves the decision date empty for platform-made decisions.
        self.payload["acceptance_decision_date"] = None if automatic else stamp
        target = "WAITING_DEBIT" if any(decisions.values()) else "REFUSED"
        self.move_to(target, now=now, monotonic=monotonic)

    def cancel_lines(self, *, now: datetime, monotonic: float, reason_code: str) -> None:
        """Cancel every open line and the order, as a full cancellation does."""
        stamp = format_datetime(now)
        for line in self._open_lines():
            record = line_cancelation(
                cancelation_id=f"{line['order_line_id']}-C{len(line.get('cancelations') or []) + 1}",
                amount=line.get("price", 0),
                shipping_amount=line.get("shipping_price", 0),
                quantity=line.get("quantity", 0),
                reason_code=reason_code,
                stamp=stamp,
            )
            line.setdefault("cancelations", []).append(record)
            line["order_line_state"] = "CANCELED"
            line["last_updated_date"] = stamp
        self.payload["order_state_reason_code"] = reason_code
        self.move_to("CANCELED", now=now, monotonic=monotonic)
