"""One sandbox instance: settings, state, log, poster and shipper, wired together.

Each app gets its own instance, so tests never share state.
"""

import httpx

from crossdock_sandbox.threepl.admin_models import AccountConfig, ShippingPlan
from crossdock_sandbox.threepl.delivery import ShipmentPoster
from crossdock_sandbox.threepl.journal import Journal
from crossdock_sandbox.threepl.settings import SandboxSettings
from crossdock_sandbox.threepl.shipper import Shipper
from crossdock_sandbox.threepl.store import Account, SandboxStore


class Sandbox:
    """The in-memory state and workers of one 3PL sandbox app."""

    def __init__(self, *, settings: SandboxSettings, http_client: httpx.AsyncClient | None = None) -> None:
        self.settings = settings
        self.store = SandboxStore()
        self.journal = Journal()
        self.poster = ShipmentPoster(settings=settings, journal=self.journal, client=http_client)
        self.shipper = Shipper(store=self.store, poster=self.poster)
        self.register_default_account()

    def default_plan(self) -> ShippingPlan:
        """Build the plan of an account registered without one, from the sandbox settings."""
        return ShippingPlan(ship_delay_seconds=self.settings.ship_delay_seconds, packages=self.settings.packages)

    def register_account(self, account_id: str, config: AccountConfig) -> Account:
        """Create or replace an account; its requests, shipments and plan overrides stay."""
        previous = self.store.accounts.get(account_id)
        account = Account(
            account_id=account_id,
            secret=config.secret,
            hub_url=config.hub_url,
            integration_id=config.integration_id,
            carrier=config.carrier or self.settings.default_carrier,
            tracking_url_template=config.tracking_url_template or self.settings.tracking_url_template,
            plan=config.plan or self.default_plan(),
        )
        if previous is not None:
            account.request_plans = previous.request_plans
            account.order_plans = previous.order_plans
        self.store.accounts[account_id] = account
        return account

    def register_default_account(self) -> Account:
        """Register the account that the `CROSSDOCK_SANDBOX_3PL_*` settings describe."""
        config = AccountConfig(
            secret=self.settings.default_secret,
            hub_url=self.settings.default_hub_url,
            integration_id=self.settings.default_integration_id,
        )
        return self.register_account(self.settings.default_account_id, config)

    async def reset(self) -> None:
        """Stop pending shipments and forget everything, then register the default account again."""
        await self.shipper.aclose()
        self.store.clear()
        self.journal.clear()
        self.register_default_account()

    async def aclose(self) -> None:
        """Stop pending shipments and close the outgoing HTTP client."""
        await self.shipper.aclose()
        await self.poster.aclose()
