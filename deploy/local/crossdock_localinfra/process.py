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
