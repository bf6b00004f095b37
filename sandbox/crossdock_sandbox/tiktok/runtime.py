"""One sandbox instance's state and services, shared by its routers through `app.state`."""

from dataclasses import dataclass

from fastapi import Request

from crossdock_sandbox.tiktok.clock import SandboxClock
from crossdock_sandbox.tiktok.faults import FaultPlan, RateLimiter
from crossdock_sandbox.tiktok.request_log import RequestLog
from crossdock_sandbox.tiktok.store import SandboxStore
from crossdock_sandbox.tiktok.tokens import TokenService
from crossdock_sandbox.tiktok.webhooks import WebhookDispatcher


@dataclass
class SandboxRuntime:
    store: SandboxStore
    clock: SandboxClock
    tokens: TokenService
    webhooks: WebhookDispatcher
    faults: FaultPlan
    rate_limiter: RateLimiter
    request_log: RequestLog
    time_scale: float
    timeout_fault_seconds: float
    redirect_url: str
    auto_audit: bool = True

    def replace_store(self, store: SandboxStore) -> None:
        """Swap in freshly seeded state, keeping the clock, faults and request log."""
        self.store = store
        self.tokens.store = store
        self.webhooks.store = store


def get_runtime(request: Request) -> SandboxRuntime:
    return request.app.state.sandbox
