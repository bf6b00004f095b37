"""A single-node Apache Kafka broker in KRaft mode, run with plain `java`.

The broker's jars come from Maven Central through `deploy/local/kafka/pom.xml`
and are cached under `.cache/kafka/`. The node is broker and controller at
once, listens on 127.0.0.1 only, and keeps its heap at 512 MB.
"""

import asyncio
import base64
import logging
import os
import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from crossdock_localinfra import paths, process

POM = paths.LOCAL_DIR / "kafka" / "pom.xml"
LOG4J_CONFIG = paths.LOCAL_DIR / "kafka" / "log4j2.properties"
HEAP = "512m"


class LocalInfraError(RuntimeError):
    """A local server could not be prepared, started or reached."""


@dataclass(kw_only=True)
class LocalKafka:
    """The local broker: its ports and the files it keeps in the state folder."""

    port: int = field(default_factory=lambda: int(os.environ.get("CROSSDOCK_LOCAL_KAFKA_PORT", "19092")))
    controller_port: int = field(
        default_factory=lambda: int(os.environ.get("CROSSDOCK_LOCAL_KAFKA_CONTROLLER_PORT", "19093"))
    )
    state_dir: Path = paths.STATE_DIR / "kafka"
    libs_dir: Path = paths.CACHE_DIR / "kafka" / "libs"

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.state_dir / "kafka.pid"

    @property
    def config_file(self) -> Path:
        return self.state_dir / "server.properties"

    @property
    def data_dir(self) -> Path:
        return self.state_dir / "data"

    @property
    def log_dir(self) -> Path:
        return self.state_dir / "logs"

    def running_pid(self) -> int | None:
        """Return the pid of the broker this checkout started, if it still runs."""
        pid = process.read_pid(self.pid_file)
        if pid is not None and process.is_running(pid, str(self.config_file)):
            return pid
        return None

    def up(self, *, timeout: float = 90.0) -> None:
        """Start the broker unless it runs already, and return once it serves metadata."""
        if self.running_pid() is not None:
            self.wait_ready(timeout=timeout)
            return

        for port, variable in (
            (self.port, "CROSSDOCK_LOCAL_KAFKA_PORT"),
            (self.controller_port, "CROSSDOCK_LOCAL_KAFKA_CONTROLLER_PORT"),
        ):
            if process.port_in_use(port):
                raise LocalInfraError(
                    f"port {port} is already in use by another process (another checkout's Kafka?); "
                    f"stop it or set {variable} to a free port"
                )
            if not process.wait_until_bindable(port):
                raise LocalInfraError(f"port {port} cannot be bound; set {variable} to a free port")
        self._fetch_jars()
        self._write_config()
        self._format_storage()

        self.log_dir.mkdir(parents=True, exist_ok=True)
        console = open(self.log_dir / "console.out", "ab")
        child = subprocess.Popen(
            [
                _java(),
                f"-Xmx{HEAP}",
                f"-Xms{HEAP}",
                "-XX:+UseG1GC",
                "-Djava.awt.headless=true",
                f"-Dkafka.logs.dir={self.log_dir}",
                f"-Dlog4j2.configurationFile={LOG4J_CONFIG}",
                "-cp",
                f"{self.libs_dir}/*",
                "kafka.Kafka",
                str(self.config_file),
            ],
            stdin=subprocess.DEVNULL,
            stdout=console,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        console.close()
        self.pid_file.write_text(f"{child.pid}\n")
        self.wait_ready(timeout=timeout, child=child)

    def down(self, *, timeout: float = 30.0) -> bool:
        """Stop the broker recorded in the pid file. Return False when none was running."""
        pid = self.running_pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False

        process.terminate(pid, timeout=timeout)
        self.pid_file.unlink(missing_ok=True)
        return True

    def wait_ready(self, *, timeout: float, child: subprocess.Popen | None = None) -> None:
        """Block until a metadata request succeeds, or raise naming the log to read.

        `child` is the broker process when this call started it. Its exit status
        is the reliable sign of a failed start, because the java launcher may
        re-exec itself and briefly hide its command line.
        """
        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if child is not None and child.poll() is not None:
                self.pid_file.unlink(missing_ok=True)
                raise LocalInfraError(
                    f"Kafka exited during startup; read {self.log_dir / 'console.out'} and "
                    f"{self.log_dir / 'server.log'}"
                )
            try:
                asyncio.run(metadata_request(self.bootstrap_servers, timeout=5.0))
                return
            except Exception as error:  # noqa: BLE001 - any failure means "not ready yet"
                last_error = error
                time.sleep(0.5)
        raise LocalInfraError(
            f"Kafka at {self.bootstrap_servers} did not respond to a metadata request within "
            f"{timeout:.0f} s ({last_error}); read {self.log_dir / 'server.log'}"
        )

    def _fetch_jars(self) -> None:
        if any(self.libs_dir.glob("kafka_2.13-*.jar")):
            return
        mvn = shutil.which("mvn")
        if mvn is None:
            raise LocalInfraError("Maven (mvn) is not on PATH; install Maven to fetch the Kafka jars")

        staging = self.libs_dir.with_name("libs.partial")
        shutil.rmtree(staging, ignore_errors=True)
        result = subprocess.run(
            [
                mvn,
                "-q",
                "-B",
                "-f",
                str(POM),
                "dependency:copy-dependencies",
                "-DincludeScope=runtime",
                f"-DoutputDirectory={staging}",
            ],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise LocalInfraError(f"mvn could not fetch the Kafka jars:\n{result.stdout}{result.stderr}")
        # Renaming last means an interrupted download is never mistaken for a complete one.
        staging.rename(self.libs_dir)

    def _write_config(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        settings = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@127.0.0.1:{self.controller_port}",
            "listeners": f"PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs": str(self.data_dir),
            "num.partitions": "3",
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "10",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            # Services create their topics with explicit partition counts at startup;
            # a typo in a topic name then fails loudly instead of creating a stray topic.
            "auto.create.topics.enable": "false",
            "log.retention.hours": "168",
        }
        lines = [f"{key}={value}" for key, value in settings.items()]
        self.config_file.write_text("\n".join(lines) + "\n")

    def _format_storage(self) -> None:
        if (self.data_dir / "meta.properties").exists():
            return
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        result = subprocess.run(
            [
                _java(),
                f"-Dlog4j2.configurationFile={LOG4J_CONFIG}",
                f"-Dkafka.logs.dir={self.log_dir}",
                "-cp",
                f"{self.libs_dir}/*",
                "kafka.tools.StorageTool",
                "format",
                "-t",
                cluster_id,
                "-c",
                str(self.config_file),
            ],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise LocalInfraError(f"formatting Kafka storage failed:\n{result.stdout}{result.stderr}")


async def metadata_request(bootstrap_servers: str, *, timeout: float) -> None:
    """Send one metadata request to `bootstrap_servers`, raising when it fails."""
    from aiokafka.admin import AIOKafkaAdminClient

    # Refused connections are expected while the broker starts; aiokafka would
    # print each one through logging's last-resort handler.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=int(timeout * 1000))
    try:
        await asyncio.wait_for(admin.start(), timeout)
        await asyncio.wait_for(admin.describe_cluster(), timeout)
    finally:
        await admin.close()


def _java() -> str:
    java = shutil.which("java")
    if java is None:
        raise LocalInfraError("java is not on PATH; Kafka needs Java 17 or later")
    return java
