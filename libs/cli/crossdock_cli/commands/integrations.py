"""`crossdock integrations`: create, connect, authorize and inspect Mirakl, TikTok Shop and HTTP-3PL integrations."""

from enum import StrEnum
from typing import Annotated, Any

import typer

from crossdock_cli.api import CliError, ServiceClient, connect, read_token
from crossdock_cli.lookup import find_integration, owning_services
from crossdock_cli.output import JsonOption, cell, console, fail_all, print_json, print_table, reports_errors
from crossdock_cli.settings_values import parse_assignment

app = typer.Typer(help="Marketplace and 3PL integrations.", no_args_is_help=True)

SettingOption = typer.Option(
    "--setting",
    help="initial setting as key=value, repeatable; the value is JSON when it parses as JSON, e.g. pullLocations=true",
    show_default=False,
)
COLUMNS = ("integration_id", "type", "name", "status", "last_error")
STATUS_PATHS = {
    "mirakl_connector": "/v1/integrations/{id}/status",
    "tiktok_connector": "/v1/integrations/{id}/status",
}


class ProductsMode(StrEnum):
    pull = "pull"
    push = "push"
    disabled = "disabled"


def _collect_integrations(token: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Gather the integrations of every service; return them with the errors of services that failed."""
    rows: list[dict[str, Any]] = []
    errors: list[str] = []
    with ServiceClient("mirakl_connector", token) as client:
        try:
            rows += client.get("/v1/integrations")
        except CliError as error:
            errors.append(str(error))
    # The TikTok connector has no list route, so the ids come from the catalog,
    # which records every `integration.upserted` event, and the rest from the connector.
    with ServiceClient("catalog", token) as client:
        try:
            tiktok_ids = [item["integration_id"] for item in client.get("/v1/integrations") if item["type"] == "tiktok"]
        except CliError as error:
            tiktok_ids = []
            errors.append(str(error))
    with ServiceClient("tiktok_connector", token) as client:
        for integration_id in tiktok_ids:
            try:
                view = client.get(f"/v1/integrations/{integration_id}")
                rows.append({**view, "integration_id": view["id"]})
            except CliError as error:
                errors.append(str(error))
    with ServiceClient("order_routing", token) as client:
        try:
            rows += [{**item, "type": "http_3pl"} for item in client.get("/v1/integrations/http-3pl")]
        except CliError as error:
            errors.append(str(error))
    return rows, errors


@app.command("list")
@reports_errors
def list_integrations(as_json: Annotated[bool, JsonOption] = False) -> None:
    """List Mirakl, TikTok Shop and HTTP-3PL integrations with their status and last error.

    A new TikTok integration appears once the catalog has recorded its event.
    """
    rows, errors = _collect_integrations(read_token())
    if as_json:
        print_json(rows)
    else:
        print_table("Integrations", COLUMNS, rows, empty="no integrations")
    if errors:
        raise fail_all(errors)


def _print_integration(view: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(view)
        return
    identifier = view.get("integration_id") or view.get("id")
    console.print(f"[bold]{identifier}[/bold]  status={view.get('status')}", highlight=False)
    if view.get("last_error"):
        console.print(f"[red]last error:[/red] {view['last_error']}", highlight=False)


@app.command("create-mirakl")
@reports_errors
def create_mirakl(
    name: Annotated[str, typer.Option(help="display name")],
    url: Annotated[str, typer.Option(help="base URL of the Mirakl instance, e.g. https://marketplace.example.com")],
    api_key: Annotated[
        str,
        typer.Option(
            envvar="CROSSDOCK_MIRAKL_API_KEY",
            prompt="Mirakl shop API key",
            hide_input=True,
            help="shop API key, stored encrypted and never shown again; prompted for when not given",
        ),
    ],
    products: Annotated[
        ProductsMode, typer.Option(help="pull the Mirakl catalog, push the master catalog, or neither")
    ] = ProductsMode.disabled,
    shop_id: Annotated[int | None, typer.Option(help="shop id, for keys that reach several shops")] = None,
    setting: Annotated[list[str] | None, SettingOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """Create a Mirakl integration; it stays `disconnected` until `crossdock integrations connect`."""
    settings = {"products": products.value, **dict(parse_assignment(text) for text in setting or [])}
    body = {"name": name, "url": url, "api_key": api_key, "shop_id": shop_id, "settings": settings}
    with connect("mirakl_connector") as client:
        view = client.post("/v1/integrations", body)
    _print_integration(view, as_json)


@app.command("connect")
@reports_errors
def connect_mirakl(
    integration_id: Annotated[str, typer.Argument(help="Mirakl integration id")],
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """Check a Mirakl integration's URL and API key against Mirakl (A01) and store its shop.

    Exits with code 1 when the integration does not end up `connected`.
    """
    with connect("mirakl_connector") as client:
        view = client.post(f"/v1/integrations/{integration_id}/connect")
    _print_integration(view, as_json)
    if view.get("status") != "connected":
        raise typer.Exit(1)


@app.command("inspect")
@reports_errors
def inspect(
    integration_id: Annotated[str, typer.Argument(help="integration id (mirakl-…, tiktok-… or 3pl-…)")],
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """Show an integration's status report: jobs, errors, queued work (Mirakl and TikTok) or the 3PL test result."""
    service, view = find_integration(integration_id, owning_services(integration_id))
    if service == "order_routing":
        # An HTTP-3PL integration's view is its status report: the last test and its error.
        report = view
    else:
        with connect(service) as client:
            report = client.get(STATUS_PATHS[service].format(id=integration_id))
    if as_json:
        print_json(report)
        return
    _print_integration(report, as_json=False)
    print_report({key: value for key, value in report.items() if key not in ("integration_id", "status", "last_error")})


def _as_records(value: Any) -> list[dict[str, Any]] | None:
    """Return `value` as table rows when it is a list of objects or an object of objects (such as `jobs`)."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        return value
    return None


def print_report(report: dict[str, Any]) -> None:
    """Print a status report: plain values as lines, then records as tables and other structures as JSON."""
    structured = {}
    for key, value in report.items():
        if value is None or value == [] or value == {}:
            console.print(f"{key}: none", highlight=False)
        elif isinstance(value, (dict, list)):
            structured[key] = value
        else:
            console.print(f"{key}: {cell(value)}", highlight=False)
    for key, value in structured.items():
        records = _as_records(value)
        if records is not None:
            columns = list(dict.fromkeys(column for record in records for column in record))
            print_table(key, columns, records, empty=f"{key}: none")
        else:
            console.print(f"{key}:", highlight=False)
            console.print_json(data=value, default=str)


@app.command("create-tiktok")
@reports_errors
def create_tiktok(
    name: Annotated[str, typer.Option(help="display name")],
    products: Annotated[
        ProductsMode, typer.Option(help="pull the TikTok catalog, push the master catalog, or neither")
    ] = ProductsMode.disabled,
    setting: Annotated[list[str] | None, SettingOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """Create a TikTok Shop integration; authorize it next with `crossdock integrations authorize`."""
    settings = {"products": products.value, **dict(parse_assignment(text) for text in setting or [])}
    with connect("tiktok_connector") as client:
        view = client.post("/v1/integrations", {"name": name, "settings": settings})
    _print_integration(view, as_json)


@app.command("authorize")
@reports_errors
def authorize(
    integration_id: Annotated[str, typer.Argument(help="TikTok Shop integration id")],
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """Print the TikTok Shop consent link; the seller opens it, and the callback connects the integration."""
    with connect("tiktok_connector") as client:
        result = client.get(f"/v1/integrations/{integration_id}/oauth/authorize")
    if as_json:
        print_json(result)
        return
    # The link is printed alone on its line, unwrapped, so it can be copied or piped.
    print(result["authorization_url"])


@app.command("create-3pl")
@reports_errors
def create_3pl(
    name: Annotated[str, typer.Option(help="display name")],
    url: Annotated[str, typer.Option(help="base URL of the 3PL API")],
    secret: Annotated[
        str,
        typer.Option(
            envvar="CROSSDOCK_3PL_SECRET",
            prompt="3PL shared secret",
            hide_input=True,
            help="shared signing secret of at least 16 characters, never shown again; prompted for when not given",
        ),
    ],
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """Create an HTTP-3PL integration in order routing; check it with `crossdock integrations test`."""
    with connect("order_routing") as client:
        view = client.post("/v1/integrations/http-3pl", {"name": name, "url": url, "secret": secret})
    _print_integration(view, as_json)
    if not as_json:
        console.print(f"the 3PL posts shipments to {view['shipments_path']} on order routing", highlight=False)


@app.command("test")
@reports_errors
def check_3pl(
    integration_id: Annotated[str, typer.Argument(help="HTTP-3PL integration id")],
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """Check an HTTP-3PL integration's URL and secret with a signed call; exit code 1 unless it connects."""
    with connect("order_routing") as client:
        view = client.post(f"/v1/integrations/http-3pl/{integration_id}/test")
    _print_integration(view, as_json)
    if view.get("status") != "connected":
        raise typer.Exit(1)
