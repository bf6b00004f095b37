"""Configure the running hub through its public HTTP APIs, step by step, the way an operator would.

Nothing here touches a database or a topic: every step is a call a user could
make with curl or the `crossdock` CLI, so the demo also proves the APIs are
enough to set up a hub. Each step prints one line saying what it did.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser

import httpx

from crossdock_cli.stack import StackConfig, poll_until

MIRAKL_SANDBOX_KEY = "mirakl-sandbox-key-2001"
MIRAKL_ORDER_STATUSES = ["WAITING_ACCEPTANCE", "SHIPPING", "SHIPPED", "REFUSED", "CANCELED"]
DEMO_ON_HAND = 25


class SetupError(RuntimeError):
    """A setup step failed; the message names the step and the service's response."""


@dataclass
class DemoIds:
    """Ids of what setup created, for the traffic generator and the summary."""

    threepl_id: str = ""
    mirakl_id: str = ""
    tiktok_id: str = ""
    tiktok_shop_id: str = ""
    us_location_id: str = ""
    location_ids: list[str] = field(default_factory=list)
    # When setup ended: errors before it (such as the deliberate wrong key) are not news.
    configured_at: datetime | None = None


def _check(response: httpx.Response, step: str) -> dict | list:
    if response.status_code >= 400:
        raise SetupError(
            f"{step}: {response.request.method} {response.request.url} responded "
            f"{response.status_code}: {response.text[:500]}"
        )
    return response.json() if response.content else {}


def wait_until(description: str, condition: Callable[[], object], *, timeout: float) -> object:
    """Poll `condition` until it returns something truthy; raise SetupError naming `description`."""
    try:
        return poll_until(description, condition, timeout=timeout)
    except TimeoutError as error:
        raise SetupError(str(error)) from None


class _FormFields(HTMLParser):
    """Collect the hidden inputs of the sandbox consent page, as a browser would submit them."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs) -> None:
        values = dict(attrs)
        if tag != "input" or not values.get("name"):
            return
        if values.get("type") == "hidden" or (values.get("type") == "radio" and "checked" in values):
            self.fields[values["name"]] = values.get("value") or ""


class DemoSetup:
    """The setup steps in walkthrough order; `run()` performs them all."""

    def __init__(self, config: StackConfig, http: httpx.Client, say: Callable[[str], None]) -> None:
        self.config = config
        self.http = http
        self.say = say
        self.ids = DemoIds()

    def url(self, name: str, path: str) -> str:
        return self.config.url(name) + path

    def run(self, *, on_hand: int = DEMO_ON_HAND) -> DemoIds:
        self.connect_3pl()
        self.choose_catalog_source()
        self.connect_mirakl()
        self.connect_tiktok()
        self.link_locations()
        self.map_tiktok_warehouses()
        self.stock_every_master(on_hand)
        self.pull_tiktok_products()
        self.turn_on_orders()
        self.ids.configured_at = datetime.now(UTC)
        return self.ids

    def connect_3pl(self) -> None:
        created = _check(
            self.http.post(
                self.url("order_routing", "/v1/integrations/http-3pl"),
                json={
                    "name": "Sandbox 3PL",
                    "url": self.config.url("sandbox_3pl"),
                    "secret": self.config.threepl_secret,
                },
            ),
            "create the HTTP-3PL integration",
        )
        self.ids.threepl_id = created["integration_id"]
        # The 3PL needs to know where to post shipments, as a real 3PL's onboarding form would ask.
        _check(
            self.http.put(
                self.url("sandbox_3pl", "/_sandbox/accounts/default"),
                json={
                    "secret": self.config.threepl_secret,
                    "hub_url": self.config.url("order_routing"),
                    "integration_id": self.ids.threepl_id,
                },
            ),
            "register the hub with the sandbox 3PL",
        )
        tested = _check(
            self.http.post(self.url("order_routing", f"/v1/integrations/http-3pl/{self.ids.threepl_id}/test")),
            "test the HTTP-3PL integration",
        )
        self.say(f"3PL integration {self.ids.threepl_id}: {tested.get('status')}")

    def choose_catalog_source(self) -> None:
        _check(
            self.http.put(self.url("catalog", "/v1/catalog/settings"), json={"catalog_source": "mirakl"}),
            "set the catalog source",
        )
        self.say("catalog source: mirakl (Mirakl products create masters; TikTok products link by SKU)")

    def connect_mirakl(self) -> None:
        created = _check(
            self.http.post(
                self.url("mirakl_connector", "/v1/integrations"),
                json={
                    "name": "Mirakl sandbox shop",
                    "url": self.config.url("sandbox_mirakl"),
                    "api_key": "mirakl-key-typed-wrong",
                    "settings": {"products": "pull"},
                },
            ),
            "create the Mirakl integration",
        )
        self.ids.mirakl_id = created["integration_id"]
        wrong = _check(
            self.http.post(self.url("mirakl_connector", f"/v1/integrations/{self.ids.mirakl_id}/connect")),
            "connect Mirakl with a wrong key",
        )
        self.say(f"Mirakl with a mistyped key: {wrong.get('status')}: {wrong.get('last_error')}")
        _check(
            self.http.patch(
                self.url("mirakl_connector", f"/v1/integrations/{self.ids.mirakl_id}"),
                json={"api_key": MIRAKL_SANDBOX_KEY},
            ),
            "correct the Mirakl API key",
        )
        connected = _check(
            self.http.post(self.url("mirakl_connector", f"/v1/integrations/{self.ids.mirakl_id}/connect")),
            "connect Mirakl",
        )
        if connected.get("status") != "connected":
            raise SetupError(f"Mirakl did not connect with the sandbox key: {connected}")
        self.say(f"Mirakl integration {self.ids.mirakl_id}: connected to shop {connected.get('shop_id')}")
        _check(
            self.http.patch(
                self.url("mirakl_connector", f"/v1/integrations/{self.ids.mirakl_id}/settings"),
                json={"pullLocations": True},
            ),
            "turn on Mirakl pullLocations",
        )
        self.say("Mirakl pullLocations: on")

    def connect_tiktok(self) -> None:
        created = _check(
            self.http.post(
                self.url("tiktok_connector", "/v1/integrations"),
                json={"name": "TikTok Shop sandbox", "settings": {"products": "pull", "holdMinutes": 0}},
            ),
            "create the TikTok Shop integration",
        )
        self.ids.tiktok_id = created["integration_id"]
        link = _check(
            self.http.get(self.url("tiktok_connector", f"/v1/integrations/{self.ids.tiktok_id}/oauth/authorize")),
            "get the TikTok consent link",
        )
        self.say(f"TikTok consent page: {link['authorization_url']}")
        self._approve_consent(link["authorization_url"])
        integration = wait_until(
            "the TikTok integration to connect",
            lambda: (
                (found := self.http.get(self.url("tiktok_connector", f"/v1/integrations/{self.ids.tiktok_id}")).json())
                and found.get("status") == "connected"
                and found
            ),
            timeout=30,
        )
        us_shop = next((shop for shop in integration.get("authorized_shops", []) if shop.get("region") == "US"), None)
        if us_shop is not None:
            self.ids.tiktok_shop_id = str(us_shop["id"])
            _check(
                self.http.patch(
                    self.url("tiktok_connector", f"/v1/integrations/{self.ids.tiktok_id}/settings"),
                    json={"shopId": self.ids.tiktok_shop_id},
                ),
                "choose the TikTok US shop",
            )
        self.say(f"TikTok integration {self.ids.tiktok_id}: connected (shop {self.ids.tiktok_shop_id or 'default'})")

    def _approve_consent(self, authorization_url: str) -> None:
        """Open the consent page and press Approve, following the redirect to the connector's callback."""
        page = self.http.get(authorization_url, follow_redirects=True)
        if page.headers.get("content-type", "").startswith("text/html") and "decision" in page.text:
            form = _FormFields()
            form.feed(page.text)
            decision = self.http.post(
                self.url("sandbox_tiktok", "/oauth/authorize"),
                data={**form.fields, "decision": "approve"},
                follow_redirects=True,
            )
            _check(decision, "approve the TikTok consent page")
        else:
            _check(page, "open the TikTok consent page")

    def link_locations(self) -> None:
        """Wait for Mirakl's warehouses to arrive as locations, add a US location, link all to the 3PL."""
        locations = wait_until(
            "the Mirakl warehouses as hub locations (WH-PARIS, WH-LYON and global stock)",
            lambda: (
                (found := self.http.get(self.url("inventory", "/v1/locations")).json()) and len(found) >= 3 and found
            ),
            timeout=60,
        )
        us = _check(
            self.http.post(
                self.url("inventory", "/v1/locations"),
                json={"name": "US fulfillment center", "priority": 50},
            ),
            "create the US location",
        )
        self.ids.us_location_id = us["location_id"]
        self.ids.location_ids = [location["location_id"] for location in locations] + [self.ids.us_location_id]
        for location_id in self.ids.location_ids:
            # Inventory learns of the 3PL integration from an event, so the first tries may get 422.
            wait_until(
                f"the link of {location_id} to the sandbox 3PL",
                lambda location_id=location_id: (
                    self.http.put(
                        self.url("inventory", f"/v1/locations/{location_id}/link"),
                        json={"fulfillment_integration_id": self.ids.threepl_id},
                    ).status_code
                    == 200
                ),
                timeout=30,
            )
        self.say(f"{len(self.ids.location_ids)} locations linked to the sandbox 3PL")

    def map_tiktok_warehouses(self) -> None:
        integration = _check(
            self.http.get(self.url("tiktok_connector", f"/v1/integrations/{self.ids.tiktok_id}")),
            "read the TikTok integration",
        )
        warehouses = [str(warehouse["id"]) for warehouse in integration.get("warehouses") or []]
        if not warehouses:
            self.say("TikTok: no sales warehouses reported; orders route by location priority")
            return
        # One warehouse only: a location mapped to two TikTok warehouses would offer its units twice.
        _check(
            self.http.patch(
                self.url("tiktok_connector", f"/v1/integrations/{self.ids.tiktok_id}/settings"),
                json={"warehouseMap": {warehouses[0]: [self.ids.us_location_id]}},
            ),
            "map the first TikTok warehouse to the US location",
        )
        self.say(f"TikTok warehouse {warehouses[0]} mapped to {self.ids.us_location_id}")

    def pull_tiktok_products(self) -> None:
        """Pull TikTok's products once the masters exist, so they link by SKU and the audit has both sides."""
        report = _check(
            self.http.post(self.url("tiktok_connector", f"/v1/integrations/{self.ids.tiktok_id}/products/pull")),
            "pull the TikTok products",
        )
        shown = {key: value for key, value in report.items() if isinstance(value, int) and not key.endswith("_at")}
        self.say("TikTok products pulled: " + (", ".join(f"{value} {key}" for key, value in shown.items()) or "done"))

    def stock_every_master(self, on_hand: int) -> None:
        """Import stock for every master at every location, once the Mirakl catalog pull has made them."""

        def sellable_masters() -> list[dict]:
            found = [product for product in self.list_masters() if product.get("product_type") != "parent"]
            return found if len(found) >= 200 else []

        products = wait_until(
            "at least 200 sellable masters from the Mirakl catalog pull", sellable_masters, timeout=90
        )
        rows = io.StringIO()
        rows.write("location_id,sku,on_hand\n")
        for location_id in self.ids.location_ids:
            for product in products:
                rows.write(f"{location_id},{product['sku']},{on_hand}\n")
        _check(
            self.http.post(
                self.url("inventory", "/v1/stock/import"),
                content=rows.getvalue().encode(),
                headers={"Content-Type": "text/csv"},
            ),
            "import stock",
        )
        self.say(f"stock: {on_hand} on hand for {len(products)} masters at {len(self.ids.location_ids)} locations")

    def list_masters(self) -> list[dict]:
        """Page through every master of the account."""
        products: list[dict] = []
        cursor = None
        while True:
            params = {"limit": 500, **({"cursor": cursor} if cursor else {})}
            page = _check(self.http.get(self.url("catalog", "/v1/products"), params=params), "list masters")
            products.extend(page["items"])
            cursor = page.get("next_cursor")
            if not cursor:
                return products

    def turn_on_orders(self) -> None:
        _check(
            self.http.patch(
                self.url("mirakl_connector", f"/v1/integrations/{self.ids.mirakl_id}/settings"),
                json={"ordersAutoAccept": True, "ordersStatuses": MIRAKL_ORDER_STATUSES},
            ),
            "turn on Mirakl auto-accept",
        )
        self.say(f"Mirakl: auto-accept on, order statuses {', '.join(MIRAKL_ORDER_STATUSES)}")
