"""Kafka and PostgreSQL as containers, for machines where a Docker engine responds.

`deploy/local/compose.infra.yml` publishes both on the same loopback ports as
the local servers, so everything downstream sees the same addresses whichever
way they were started. `CROSSDOCK_INFRA` picks the way: `local`, `compose`, or
`auto` (the default: compose when `docker info` succeeds, else local).
"""

import os
import shutil
import subprocess
from dataclasses import dataclass, field

from crossdock_localinfra import paths
from crossdock_localinfra.kafka import LocalInfraError

COMPOSE_FILE = paths.LOCAL_DIR / "compose.infra.yml"
INFRA_ENV = "CROSSDOCK_INFRA"
CHOICES = ("auto", "local", "compose")


def docker_engine_answers(timeout: float = 10.0) -> bool:
    """Tell whether a Docker client exists and its engine responds to `docker info`."""
    if shutil.which("docker") is None:
        return False
    try:
        result = subprocess.run(
            ["docker", "info", "--format", "{{.ServerVersion}}"], capture_output=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and bool(result.stdout.strip())


def chosen_backend(environ=None) -> str:
    """Return `local` or `compose` from CROSSDOCK_INFRA; raise LocalInfraError on an unknown value."""
    value = (environ if environ is not None else os.environ).get(INFRA_ENV, "auto").strip().lower() or "auto"
    if value not in CHOICES:
        raise LocalInfraError(f"{INFRA_ENV}={value!r} is not one of {', '.join(CHOICES)}")
    if value == "auto":
        return "compose" if docker_engine_answers() else "local"
    return value


@dataclass(kw_only=True)
class ComposeInfra:
    """Both servers as one compose project; `up` waits for their health checks."""

    kafka_port: int = field(default_factory=lambda: int(os.environ.get("CROSSDOCK_LOCAL_KAFKA_PORT", "19092")))
    postgres_port: int = field(default_factory=lambda: int(os.environ.get("CROSSDOCK_LOCAL_PG_PORT", "55432")))

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.kafka_port}"

    @property
    def dsn(self) -> str:
        return f"postgresql://crossdock:crossdock@127.0.0.1:{self.postgres_port}/crossdock"

    def command(self, *arguments: str) -> list[str]:
        return ["docker", "compose", "-f", str(COMPOSE_FILE), *arguments]

    def is_running(self) -> bool:
        result = self._run("ps", "--status", "running", "--quiet", check=False)
        return len(result.stdout.split()) >= 2

    def up(self, *, timeout: float = 180.0) -> None:
        self._run("up", "--detach", "--wait", "--wait-timeout", str(int(timeout)))

    def down(self) -> bool:
        running = self.is_running()
        self._run("down")
        return running

    def _run(self, *arguments: str, check: bool = True) -> subprocess.CompletedProcess:
        environment = {
            **os.environ,
            "CROSSDOCK_LOCAL_KAFKA_PORT": str(self.kafka_port),
            "CROSSDOCK_LOCAL_PG_PORT": str(self.postgres_port),
        }
        result = subprocess.run(self.command(*arguments), capture_output=True, text=True, env=environment, check=False)
        if check and result.returncode != 0:
            raise LocalInfraError(
                f"`{' '.join(self.command(*arguments))}` failed with {result.returncode}: "
                f"{result.stderr.strip()[-800:]}"
            )
        return result
