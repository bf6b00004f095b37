"""Idle memory of each service: start all five as processes, wait until ready, report RSS.

Each service runs its console script against the Kafka and PostgreSQL of
KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL (`make bench` provides local ones),
with a topic prefix of its own, on its default port. RSS is read from
/proc/<pid>/status 10 s after every service reports ready. Prints figures
only; the target is 150 MB idle per service.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

SERVICES = {
    "crossdock-catalog": 8101,
    "crossdock-inventory": 8102,
    "crossdock-order-routing": 8103,
    "crossdock-mirakl-connector": 8111,
    "crossdock-tiktok-connector": 8112,
}
BIN = Path(sys.executable).parent


def rss_megabytes(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def main() -> int:
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092"),
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgresql://crossdock:crossdock@127.0.0.1:55432/crossdock"),
        "CROSSDOCK_JWT_SECRET": os.environ.get("CROSSDOCK_JWT_SECRET", "bench-only-jwt-secret-0123456789abcdef"),
        "CROSSDOCK_ENCRYPTION_KEY": os.environ.get("CROSSDOCK_ENCRYPTION_KEY", "dGVzdC1vbmx5LWNyb3NzZG9jay1mZXJuZXQta2V5ISE="),
        "CROSSDOCK_TOPIC_PREFIX": f"bench-{uuid.uuid4().hex[:6]}.",
        "CROSSDOCK_TOPIC_PARTITIONS": "1",
        "CROSSDOCK_LOG_LEVEL": "WARNING",
    }
    processes = {
        name: subprocess.Popen([str(BIN / name)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for name in SERVICES
    }
    try:
        ready: set[str] = set()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and len(ready) < len(SERVICES):
            for name, port in SERVICES.items():
                try:
                    if name not in ready and httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                        ready.add(name)
                except httpx.HTTPError:
                    pass
            time.sleep(0.5)
        time.sleep(10)
        for name, process in processes.items():
            state = "ready" if name in ready else "NOT READY"
            print(f"{name:28s} {state:9s} idle RSS {rss_megabytes(process.pid):6.0f} MB   (target <= 150 MB)")
    finally:
        for process in processes.values():
            process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
