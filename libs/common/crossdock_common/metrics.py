"""Prometheus metrics shared by the bus and the service skeleton, served on `/metrics`."""

from prometheus_client import Counter, Gauge, Histogram

EVENTS_PUBLISHED = Counter("crossdock_events_published_total", "Events published from the outbox", ["topic"])
EVENTS_CONSUMED = Counter("crossdock_events_consumed_total", "Events applied by a consumer group", ["group", "type"])
EVENTS_DUPLICATE = Counter(
    "crossdock_events_duplicate_total", "Redelivered events skipped as already processed", ["group"]
)
EVENTS_FAILED = Counter("crossdock_events_failed_total", "Handler attempts that raised", ["group", "type"])
EVENTS_DEAD_LETTERED = Counter(
    "crossdock_events_dead_lettered_total", "Messages sent to a dead-letter topic", ["group"]
)
OUTBOX_LAG = Gauge(
    "crossdock_outbox_lag_events", "Outbox rows not yet published, as last seen by the relay", ["schema"]
)
HANDLER_SECONDS = Histogram(
    "crossdock_handler_seconds",
    "Time to apply one batch of events, including the database commit",
    ["group"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
