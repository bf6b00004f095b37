"""Pid-file bookkeeping for the processes that the local infrastructure starts."""

import os
import signal
import time
from pathlib import Path


def read_pid(pid_file: Path) -> int | None:
    """Return the pid stored in `pid_file`, or None when there is none."""
    try:
        text = pid_file.read_text().split("\n", 1)[0].strip()
    except FileNotFoundError:
        return None
    return int(text) if text.isdigit() else None


def is_running(pid: int, cmdline_marker: str) -> bool:
    """Tell whether `pid` is alive and its command line contains `cmdline_marker`.

    The marker guards against a recycled pid: after a reboot the number in a
    stale pid file may belong to an unrelated process, which must not be
    signalled.
    """
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return False
    return cmdline_marker in cmdline


def terminate(pid: int, *, timeout: float) -> None:
    """Send SIGTERM to `pid`, then SIGKILL if it has not exited after `timeout` seconds."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not Path(f"/proc/{pid}").exists() or _is_zombie(pid):
            return
        time.sleep(0.2)

    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """Tell whether something accepts TCP connections on `host:port`."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def port_bindable(port: int, host: str = "127.0.0.1") -> bool:
    """Tell whether a server could bind `host:port` now (with SO_REUSEADDR, as Kafka and PostgreSQL do)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def wait_until_bindable(port: int, *, timeout: float = 75.0, host: str = "127.0.0.1") -> bool:
    """Wait for a port that nothing listens on but that cannot be bound yet.

    A client connection that used the port as its ephemeral source port keeps
    it in TIME_WAIT for up to 60 s on Linux (55432 lies inside the default
    ephemeral range 32768-60999), and during that time a server cannot bind it.
    """
    import sys

    deadline = time.monotonic() + timeout
    warned = False
    while not port_bindable(port, host):
        if time.monotonic() > deadline:
            return False
        if not warned:
            print(
                f"port {port} is held by a closing connection (TIME_WAIT); waiting up to {timeout:.0f} s",
                file=sys.stderr,
            )
            warned = True
        time.sleep(1.0)
    return True
