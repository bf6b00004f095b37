"""The marketplace time scale: one factor for every marketplace call-frequency window.

`CROSSDOCK_MARKETPLACE_TIME_SCALE` (default 1.0) multiplies every duration that
comes from a marketplace's call-frequency limits: the sandboxes' rate-limit
windows and `Retry-After` values, and the connectors' minimum poll intervals.
Both sides read the same factor, so at 0.01 a limit of one OR11 cycle per minute
becomes one cycle per 0.6 s in the sandbox and in the connector alike, and no
connector ever polls faster than its marketplace allows. Production keeps 1.0.
"""

import math
import os

ENV_VAR = "CROSSDOCK_MARKETPLACE_TIME_SCALE"


def marketplace_time_scale() -> float:
    """Return the factor from the environment, raising ValueError on a value that is not a positive number."""
    raw = os.environ.get(ENV_VAR, "1.0")
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{ENV_VAR}={raw!r} is not a number; use a positive factor such as 1.0 or 0.01") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{ENV_VAR}={raw!r} must be a positive number such as 1.0 or 0.01")
    return value


def scaled_seconds(seconds: float, *, scale: float | None = None) -> float:
    """Return a marketplace duration in seconds multiplied by the time scale."""
    factor = marketplace_time_scale() if scale is None else scale
    return seconds * factor
