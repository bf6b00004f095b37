"""`crossdock demo`: start the hub and the sandboxes under honcho, set them up, and report until Ctrl-C.

Each run gets a fresh database and its own topic prefix, and removes both when
it stops, so a run never reads a previous run's integrations or events. The
bearer token and service URLs of the run are written to `.cache/demo.env` so
the `crossdock` CLI can be pointed at the running hub from another terminal.
"""

import asyncio
import base64
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Annotated

import httpx
import typer
from crossdock_common.auth.tokens import issue_token
from crossdock_common.testing.service import delete_topics_with_prefix
from rich.console import Console

from crossdock_cli.demo.setup import DemoSetup, SetupError
from crossdock_cli.demo.summary import read_snapshot, render
from crossdock_cli.demo.traffic import OrderStream, seed_sandboxes
from crossdock_cli.stack import SERVICES, StackConfig, create_database, database_url, drop_database

console = Console(soft_wrap=True)
DEMO_ACCOUNT = "demo"
DEMO_ENV_FILE = Path(".cache/demo.env")
# Fast but honest: Mirakl's once-a-minute OR11 becomes once every 0.6 s, in the sandbox and the connector alike.
DEFAULT_TIME_SCALE = 0.01
DEMO_SERVICE_ENV = {
    "CROSSDOCK_TOPIC_PARTITIONS": "1",
    "CROSSDOCK_LOG_FORMAT": "text",
    "CROSSDOCK_SANDBOX_3PL_SHIP_DELAY_SECONDS": "2",
    "CROSSDOCK_ROUTING_DISPATCH_INTERVAL_SECONDS": "0.5",
    "CROSSDOCK_MIRAKL_WORKER_TICK_SECONDS": "0.5",
}


def find_procfile() -> Path:
    """Return the checkout's Procfile: in the current folder or one above it, else the one beside this package."""
    for folder in (Path.cwd(), *Path.cwd().parents):
        if (folder / "Procfile").is_file():
            return folder / "Procfile"
    bundled = Path(__file__).resolve().parents[4] / "Procfile"
    if bundled.is_file():
        return bundled
    raise FileNotFoundError("no Procfile found; run `crossdock demo` from the crossdock checkout (or use `make run`)")


def demo(
    port_offset: Annotated[int, typer.Option(help="move every documented port by this much")] = 0,
    time_scale: Annotated[
        float, typer.Option(help="CROSSDOCK_MARKETPLACE_TIME_SCALE for sandboxes and connectors alike")
    ] = DEFAULT_TIME_SCALE,
    order_interval: Annotated[float, typer.Option(help="seconds between orders on each marketplace")] = 3.0,
    summary_interval: Annotated[float, typer.Option(help="seconds between summaries")] = 5.0,
    until_shipped: Annotated[
        bool, typer.Option(help="exit 0 once every integration is connected and both channels shipped orders")
    ] = False,
    timeout: Annotated[
        float, typer.Option(help="with --until-shipped: give up (exit 1) after this many seconds")
    ] = 120,
    database: Annotated[
        str, typer.Option(help="database created for this run on DATABASE_URL's server")
    ] = "crossdock_demo",
    log_level: Annotated[str, typer.Option(help="log level of the services")] = "WARNING",
) -> None:
    """Run the whole hub on the sandboxes with demo data, set up as a user would, until Ctrl-C."""
    kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    server_dsn = os.environ.get("DATABASE_URL")
    if not kafka or not server_dsn:
        console.print(
            "[red]KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL must be set; "
            "`make run` starts local servers and sets them.[/red]"
        )
        raise typer.Exit(2)
    try:
        procfile = find_procfile()
    except FileNotFoundError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None

    started = time.monotonic()
    prefix = f"demo-{uuid.uuid4().hex[:6]}."
    config = StackConfig(
        kafka_bootstrap=kafka,
        database_url=database_url(server_dsn, database),
        jwt_secret=secrets.token_urlsafe(32),
        encryption_key=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        threepl_secret=secrets.token_urlsafe(24),
        topic_prefix=prefix,
        port_offset=port_offset,
        time_scale=time_scale,
        extra_env={**DEMO_SERVICE_ENV, "CROSSDOCK_LOG_LEVEL": log_level},
    )
    token = issue_token(secret=config.jwt_secret, account_id=DEMO_ACCOUNT, scopes=["read", "write"], ttl_seconds=86400)
    asyncio.run(create_database(server_dsn, database))
    _write_env_file(config, token)
    console.print(f"[bold]crossdock demo[/bold]: database {database}, topic prefix {prefix}, time scale {time_scale}")

    environment = config.environment()
    # The Procfile names console scripts; they live beside this interpreter, which may not be on PATH.
    environment["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), environment.get("PATH", "")])
    stopping = threading.Event()
    _stop_on_signals(stopping)
    honcho = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "honcho",
            "start",
            "-f",
            str(procfile),
            "-d",
            str(procfile.parent),
            "-e",
            os.devnull,
            "--no-colour",
        ],
        env=environment,
    )
    stream: OrderStream | None = None
    exit_code = 0
    try:
        config.wait_ready(timeout=120, on_wait=lambda pending: _require_running(honcho))
        console.print(f"all services ready after {time.monotonic() - started:.0f} s: {', '.join(SERVICES)}")
        with httpx.Client(timeout=30, headers={"Authorization": f"Bearer {token}"}) as http:
            seed_sandboxes(config, http, console.print)
            ids = DemoSetup(config, http, console.print).run()
            stream = OrderStream(config, tiktok_shop_id=ids.tiktok_shop_id, interval=order_interval, stopping=stopping)
            stream.start()
            console.print(f"orders flowing every {order_interval:g} s on each marketplace; Ctrl-C stops everything")
            exit_code = _report(config, http, ids, started, summary_interval, until_shipped, timeout, honcho)
    except (SetupError, TimeoutError, RuntimeError) as error:
        console.print(f"[red]demo failed: {error}[/red]")
        exit_code = 1
    except KeyboardInterrupt:
        console.print("stopping on request")
    finally:
        # A second Ctrl-C would leave processes, topics or the database behind; cleanup takes seconds.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if stream is not None:
            stream.stop()
        _stop(honcho)
        asyncio.run(delete_topics_with_prefix(kafka, prefix))
        asyncio.run(drop_database(server_dsn, database))
        DEMO_ENV_FILE.unlink(missing_ok=True)
        console.print("stopped every process the demo started; its database and topics are removed")
    raise typer.Exit(exit_code)


def _report(config, http, ids, started, interval, until_shipped, timeout, honcho) -> int:
    """Print a summary every `interval` seconds; with `until_shipped`, return once the demo has shown its flow."""
    announced = False
    while True:
        _require_running(honcho)
        snapshot = read_snapshot(config, http, ids)
        elapsed = time.monotonic() - started
        console.print(render(snapshot, elapsed_seconds=elapsed))
        if snapshot.all_connected() and snapshot.shipped_on_both_channels():
            if not announced:
                console.print(
                    "[green]all integrations connected and orders shipped on both channels "
                    f"after {elapsed:.0f} s[/green]"
                )
                announced = True
            if until_shipped:
                return 0
        elif until_shipped and elapsed > timeout:
            console.print(f"[red]no shipped orders on both channels within {timeout:.0f} s[/red]")
            return 1
        time.sleep(interval)


def _require_running(honcho: subprocess.Popen) -> None:
    code = honcho.poll()
    if code is None:
        return
    if code in (130, -signal.SIGINT, -signal.SIGTERM):
        # Ctrl-C reaches every process of the terminal's group, and honcho may notice first.
        raise KeyboardInterrupt
    raise RuntimeError(f"honcho exited with {code}: a process of the stack stopped (see its log lines above)")


def _stop_on_signals(stopping: threading.Event) -> None:
    """Make Ctrl-C and SIGTERM set `stopping` first (so the order stream goes quiet), then unwind as Ctrl-C."""

    def interrupt(signum, frame):
        stopping.set()
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)


def _stop(honcho: subprocess.Popen) -> None:
    if honcho.poll() is None:
        honcho.send_signal(signal.SIGTERM)
    try:
        honcho.wait(timeout=40)
    except subprocess.TimeoutExpired:
        honcho.kill()
        honcho.wait()


def _write_env_file(config: StackConfig, token: str) -> None:
    """Write what the CLI needs to reach this run: `set -a; . .cache/demo.env; set +a`."""
    wanted = {f"CROSSDOCK_{name.upper()}_URL": config.url(name) for name in SERVICES}
    wanted.update(
        {
            "CROSSDOCK_TOKEN": token,
            "KAFKA_BOOTSTRAP_SERVERS": config.kafka_bootstrap,
            "CROSSDOCK_TOPIC_PREFIX": config.topic_prefix,
        }
    )
    DEMO_ENV_FILE.parent.mkdir(parents=True, exist_ok=True)
    DEMO_ENV_FILE.write_text("".join(f"{key}={value}\n" for key, value in sorted(wanted.items())))
    DEMO_ENV_FILE.chmod(0o600)
    console.print(f"CLI settings for this run: set -a; . {DEMO_ENV_FILE}; set +a")
