"""Fixtures shared by every test suite."""

import os
from pathlib import Path

import pytest

pytest_plugins = ["crossdock_common.testing.pytest_plugin", "pytester"]

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The project's shared reference folder (`../shared` beside the checkout), read in place."""
    path = Path(os.environ.get("CROSSDOCK_SHARED_DIR", REPO_ROOT.parent / "shared"))
    if not (path / "SPEC.md").exists():
        pytest.fail(f"shared reference folder not found at {path}; set CROSSDOCK_SHARED_DIR", pytrace=False)
    return path
