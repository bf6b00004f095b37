"""The `crossdock` command: tokens, health, events, and one step at a time on the services' APIs.

Commands that act on integrations, settings, locations, orders, the catalog and
inventory call the services' HTTP APIs with a bearer token from
`CROSSDOCK_TOKEN` (make one with `crossdock token issue`). Each service's base
URL comes from `CROSSDOCK_<SERVICE>_URL`, else its default local port.
"""

import asyncio
import os
from typing import Annotated

import httpx
import typer
from crossdock_common.auth.tokens import KNOWN_SCOPES, issue_token
from rich.console import Console

from crossdock_cli.commands import catalog, integrations, inventory, locations, orders, settings
from crossdock_cli.demo.command import demo
from crossdock_cli.events import resolve_topic, tail
from crossdock_cli.output import JsonOption, print_json, print_table
from crossdock_cli.services import DEFAULT_PORTS, service_url

app = typer.Typer(help="Operate a crossdock hub.", no_args_is_help=True)
token_app = typer.Typer(help="API bearer tokens.", no_args_is_help=True)
events_app = typer.Typer(help="Canonical events on Kafka.", no_args_is_help=True)
app.add_typer(token_app, name="token")
app.add_typer(events_app, name="events")
app.add_typer(integrations.app, name="integrations")
app.add_typer(settings.app, name="settings")
app.add_typer(catalog.app, name="catalog")
app.add_typer(locations.app, name="locations")
app.add_typer(orders.app, name="orders")
app.add_typer(inventory.app, name="inventory")
app.command("sku-audit")(catalog.sku_audit)
app.command("demo")(demo)
console = Console()


@token_app.command("issue")
def token_issue(
    account: Annotated[str, typer.Option(help="account id the token acts for")],
    scope: Annotated[
        list[str] | None,
        typer.Option(help=f"scope to grant, repeatable; one of {', '.join(KNOWN_SCOPES)}; default read and write"),
    ] = None,
    ttl: Annotated[int, typer.Option(help="lifetime in seconds")] = 3600,
) -> None:
    """Print a bearer token signed with CROSSDOCK_JWT_SECRET."""
    secret = os.environ.get("CROSSDOCK_JWT_SECRET", "")
    if len(secret) < 32:
        console.print("[red]CROSSDOCK_JWT_SECRET must be set to the services' value (at least 32 characters)[/red]")
        raise typer.Exit(2)
    try:
        print(issue_token(secret=secret, account_id=account, scopes=scope or ["read", "write"], ttl_seconds=ttl))
    except ValueError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None


@app.command()
def health(as_json: Annotated[bool, JsonOption] = False) -> None:
    """Show whether each service is up (/healthz) and ready (/readyz); exit code 1 when any is not."""
    rows = []
    failed = False
    with httpx.Client(timeout=3.0) as client:
        for service in DEFAULT_PORTS:
            url = service_url(service)
            row = {"service": service, "url": url}
            for path in ("/healthz", "/readyz"):
                try:
                    response = client.get(url + path)
                    row[path.strip("/")] = "ok" if response.status_code == 200 else f"{response.status_code}"
                    failed |= response.status_code != 200
                except httpx.HTTPError as error:
                    row[path.strip("/")] = f"unreachable ({type(error).__name__})"
                    failed = True
            rows.append(row)
    if as_json:
        print_json(rows)
    else:
        print_table("Services", ("service", "url", "healthz", "readyz"), rows, empty="no services")
    if failed:
        raise typer.Exit(1)


@events_app.command("tail")
def events_tail(
    topic: Annotated[str, typer.Option(help="topic: orders, products, inventory, ... or a full name")],
    from_beginning: Annotated[bool, typer.Option(help="start at the oldest event instead of new ones")] = False,
    type: Annotated[str | None, typer.Option("--type", help="show only this event type, e.g. order.received")] = None,
    account: Annotated[str | None, typer.Option(help="show only this account's events")] = None,
    limit: Annotated[int | None, typer.Option(help="stop after this many events")] = None,
) -> None:
    """Print canonical events from a topic, pretty-printed, until Ctrl-C."""
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")
    full_topic = resolve_topic(topic, os.environ.get("CROSSDOCK_TOPIC_PREFIX", ""))
    try:
        asyncio.run(
            tail(
                bootstrap_servers=bootstrap,
                topic=full_topic,
                from_beginning=from_beginning,
                event_type=type,
                account_id=account,
                limit=limit,
                console=console,
            )
        )
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    app()
