"""`make run`'s program, `crossdock demo`, from start to the acceptance line and a clean stop.

The demo starts its own stack under honcho, on ports moved by an offset so it
can share the machine with the other e2e modules. It seeds the sandboxes, sets
the hub up through the public APIs and places orders. `--until-shipped` makes
it exit 0 once every integration is connected and both channels have shipped
orders.
"""

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from crossdock_cli.stack import COMPONENTS

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

REPO_ROOT = Path(__file__).resolve().parents[2]
PORT_OFFSET = int(os.environ.get("CROSSDOCK_E2E_PORT_OFFSET", "0")) + 600


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_demo_connects_everything_and_ships_on_both_channels(postgres_dsn, kafka_bootstrap):
    database = f"demo_e2e_{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "DATABASE_URL": postgres_dsn}
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "crossdock"),
            "demo",
            "--until-shipped",
            "--timeout",
            "150",
            "--port-offset",
            str(PORT_OFFSET),
            "--database",
            database,
            "--summary-interval",
            "3",
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr

    assert result.returncode == 0, output[-6000:]
    assert "Mirakl with a mistyped key: error" in output, output[-6000:]
    assert "API key" in output
    assert "connected to shop 2001" in output
    assert "TikTok products pulled: " in output
    assert "all integrations connected and orders shipped on both channels" in output
    assert "stopped every process the demo started" in output
    # One supervisor, honcho, started every Procfile process and prefixed its lines.
    for component in COMPONENTS:
        assert f"{component.name}.1 started" in output, output[:3000]
    still_listening = [c.name for c in COMPONENTS if _listening(c.default_port + PORT_OFFSET)]
    assert still_listening == []
