"""The `crossdock` command: tokens, service health and event tailing.

Commands that act on integrations, orders and inventory call the services'
HTTP APIs with a bearer token from `CROSSDOCK_TOKEN`.
"""

import asyncio
import os
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.table import Table

from crossdock_cli.events import resolve_topic, tail
from crossdock_cli.services import DEFAULT_PORTS, service_url
from crossdock_common.auth.tokens import KNOWN_SCOPES, issue_token

app = typer.Typer(help="Operate a crossdock hub.", no_args_is_help=True)
token_app = typer.Typer(help="API bearer tokens.", no_args_is_help=True)
events_app = typer.Typer(help="Canonical events on Kafka.", no_args_is_help=True)
app.add_typer(token_app, name="token")
app.add_typer(events_app, name="events")
console = Console()


@token_app.command("issue")
def token_issue(
    account: Annotated[str, typer.Option(help="account id the token acts for")],
    scope: Annotated[list[str], typer.Option(help=f"scope to grant, repeatable; one of {', '.join(KNOWN_SCOPES)}")] = [
        "read",
        "write",
    ],
    ttl: Annotated[int, typer.Option(help="lifetime in seconds")] = 3600,
) -> None:
    """Print a bearer token signed with CROSSDOCK_JWT_SECRET."""
    secret = os.environ.get("CROSSDOCK_JWT_SECRET", "")
    if len(secret) < 32:
        console.print("[red]CROSSDOCK_JWT_SECRET must be set to the services' value (at least 32 characters)[/red]")
        raise typer.Exit(2)
    try:
        print(issue_token(secret=secret, account_id=account, scopes=scope, ttl_seconds=ttl))
    except ValueError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None


@app.command()
def health() -> None:
    """Show whether each service is up (/healthz) and ready (/readyz)."""
    table = Table("service", "url", "healthz", "readyz")
    failed = False
    with httpx.Client(timeout=3.0) as client:
        for service in DEFAULT_PORTS:
            url = service_url(service)
            results = []
            for path in ("/healthz", "/readyz"):
                try:
                    response = client.get(url + path)
                    results.append("ok" if response.status_code == 200 else f"{response.status_code}")
                    failed |= response.status_code != 200
                except httpx.HTTPError as error:
                    results.append(f"unreachable ({type(error).__name__})")
                    failed = True
            table.add_row(service, url, *results)
    console.print(table)
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
