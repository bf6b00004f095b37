"""Tunable behaviour of one Mirakl sandbox instance."""

from dataclasses import dataclass, field

from crossdock_common.timescale import marketplace_time_scale

DAY = 86_400.0


@dataclass(kw_only=True)
class SandboxSettings:
    """Delays, deadlines and limits that tests and `make run` tune per instance.

    Call-frequency windows come from Mirakl's published maxima and are multiplied
    by `time_scale`. Business delays (acceptance deadline, import processing,
    automatic debit) are plain seconds of sandbox time, so tests set them
    directly or jump over them with the admin clock.
    """

    time_scale: float = field(default_factory=marketplace_time_scale)
    rate_limits_enabled: bool = True
    # Seconds of sandbox time between entering WAITING_ACCEPTANCE and the
    # automatic refusal. Operators pick this; three days is a common choice.
    acceptance_deadline_seconds: float = 3 * DAY
    # With PC01 `order_acceptance=AUTOMATIC`, how long an order waits before
    # the platform accepts it.
    auto_accept_after_seconds: float = 0.0
    # How long the platform takes to ask the payment provider for the debit
    # (WAITING_DEBIT -> WAITING_DEBIT_PAYMENT).
    debit_request_after_seconds: float = 0.0
    # None keeps paid orders in WAITING_DEBIT_PAYMENT until the admin API
    # confirms the payment; a number confirms it automatically after that delay.
    auto_debit_after_seconds: float | None = None
    # Import jobs (STO01, OF24, P41) stay WAITING, then RUNNING, for these delays.
    import_waiting_seconds: float = 0.5
    import_running_seconds: float = 0.5
    # OR11 `start_update_date` is moved back by this much, as Mirakl does to
    # cover clock skew; clients must expect overlapping pages and deduplicate.
    update_date_overlap_seconds: float = 5.0
    # How long an injected "timeout" fault holds the request before answering 504.
    fault_timeout_seconds: float = 30.0
    partial_acceptance_enabled: bool = True

    def __post_init__(self) -> None:
        if self.time_scale <= 0:
            raise ValueError(f"time_scale={self.time_scale!r} must be a positive factor such as 1.0 or 0.01")
        for name in (
            "acceptance_deadline_seconds",
            "auto_accept_after_seconds",
            "debit_request_after_seconds",
            "import_waiting_seconds",
            "import_running_seconds",
            "update_date_overlap_seconds",
            "fault_timeout_seconds",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"{name}={getattr(self, name)!r} must be zero or more seconds")
        if self.auto_debit_after_seconds is not None and self.auto_debit_after_seconds < 0:
            raise ValueError(f"auto_debit_after_seconds={self.auto_debit_after_seconds!r} must be zero or more seconds")
