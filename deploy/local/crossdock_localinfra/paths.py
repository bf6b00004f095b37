"""Where the local servers keep their files.

Kafka's jars, data and logs live under the checkout (`.cache/`, `.local/`, both
git-ignored). PostgreSQL refuses to run as root, so when this runs as root the
cluster runs as the `postgres` system user, which may be unable to enter the
folders a clone sits in; its data therefore lives under `/var/tmp`, in a folder
named after the checkout so that two clones never share a cluster.
"""

import hashlib
import os
from pathlib import Path

LOCAL_DIR = Path(__file__).resolve().parent.parent
REPO_ROOT = LOCAL_DIR.parent.parent
STATE_DIR = REPO_ROOT / ".local"
CACHE_DIR = REPO_ROOT / ".cache"


def checkout_id() -> str:
    """Return a short stable id of this checkout's path."""
    return hashlib.sha1(str(REPO_ROOT).encode()).hexdigest()[:10]


def postgres_base_dir() -> Path:
    """Return the folder holding the PostgreSQL data, socket and log."""
    override = os.environ.get("CROSSDOCK_LOCAL_PG_DIR")
    if override:
        return Path(override)
    return Path("/var/tmp") / f"crossdock-pg-{os.geteuid()}-{checkout_id()}"
