"""Settings of the 3PL sandbox, read once from the environment at start-up.

The defaults let `crossdock-sandbox-3pl` work beside a local hub without any
configuration: one account, `default`, whose shipments go to order routing on
127.0.0.1:8103. Durations are plain seconds. The marketplace time scale does
not apply, because a 3PL has no call-frequency limit to mirror.
"""

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass

ENV_PREFIX = "CROSSDOCK_SANDBOX_3PL_"


@dataclass(frozen=True, kw_only=True)
class SandboxSettings:
    """Sandbox-wide settings and the default account registered at start and on reset."""

    default_account_id: str = "default"
    default_secret: str = "sandbox-3pl-secret"
    default_hub_url: str = "http://127.0.0.1:8103"
    default_integration_id: str = "sandbox-3pl"
    default_carrier: str = "sandbox-parcel"
    public_url: str = "http://127.0.0.1:8203"

    ship_delay_seconds: float = 1.0
    packages: int = 1

    post_attempts: int = 5
    post_timeout_seconds: float = 10.0
    retry_initial_seconds: float = 0.5
    retry_max_seconds: float = 10.0

    def __post_init__(self) -> None:
        for name in ("ship_delay_seconds", "retry_initial_seconds", "retry_max_seconds"):
            _require_non_negative(name, getattr(self, name))
        _require_positive("post_timeout_seconds", self.post_timeout_seconds)
        if self.packages < 1:
            raise ValueError(f"packages={self.packages} is invalid; a request ships in at least 1 package")
        if self.post_attempts < 1:
            raise ValueError(f"post_attempts={self.post_attempts} is invalid; use 1 or more attempts")
        if not self.default_account_id:
            raise ValueError("default_account_id is empty; name the default account, e.g. 'default'")

    @property
    def tracking_url_template(self) -> str:
        """Tracking URL pattern of new accounts, pointing at this sandbox's own tracking page."""
        return self.public_url.rstrip("/") + "/_sandbox/tracking/{tracking_number}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "SandboxSettings":
        """Read every `CROSSDOCK_SANDBOX_3PL_*` variable, raising ValueError on one that does not parse."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}

        text_fields = {
            "ACCOUNT_ID": "default_account_id",
            "SECRET": "default_secret",
            "HUB_URL": "default_hub_url",
            "INTEGRATION_ID": "default_integration_id",
            "CARRIER": "default_carrier",
            "PUBLIC_URL": "public_url",
        }
        for suffix, field in text_fields.items():
            if ENV_PREFIX + suffix in env:
                values[field] = env[ENV_PREFIX + suffix]

        number_fields = {
            "SHIP_DELAY_SECONDS": ("ship_delay_seconds", float),
            "PACKAGES": ("packages", int),
            "POST_ATTEMPTS": ("post_attempts", int),
            "POST_TIMEOUT_SECONDS": ("post_timeout_seconds", float),
            "RETRY_INITIAL_SECONDS": ("retry_initial_seconds", float),
            "RETRY_MAX_SECONDS": ("retry_max_seconds", float),
        }
        for suffix, (field, parse) in number_fields.items():
            name = ENV_PREFIX + suffix
            if name in env:
                values[field] = _parse_number(name, env[name], parse)

        return cls(**values)


def _parse_number(name: str, raw: str, parse: type) -> float | int:
    try:
        return parse(raw)
    except ValueError:
        kind = "an integer" if parse is int else "a number of seconds"
        raise ValueError(f"{name}={raw!r} is not {kind}") from None


def _require_non_negative(name: str, value: float) -> None:
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name}={value!r} is invalid; use 0 or more seconds")


def _require_positive(name: str, value: float) -> None:
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name}={value!r} is invalid; use more than 0 seconds")
