"""Fixtures for the Mirakl sandbox tests: a fresh app per test, fast time scale."""

import httpx
import pytest
from crossdock_sandbox.mirakl.app import create_sandbox_app
from crossdock_sandbox.mirakl.seed import DEFAULT_API_KEY
from crossdock_sandbox.mirakl.settings import SandboxSettings

# At 0.01 the OR11 cycle window is 0.6 s and STO02's is 0.15 s.
TEST_TIME_SCALE = 0.01


@pytest.fixture
def settings() -> SandboxSettings:
    return SandboxSettings(time_scale=TEST_TIME_SCALE, import_waiting_seconds=0.05, import_running_seconds=0.05)


@pytest.fixture
def app(settings):
    return create_sandbox_app(settings=settings)


@pytest.fixture
def store(app):
    return app.state.store


@pytest.fixture
async def client(app):
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://sandbox.test", headers={"Authorization": DEFAULT_API_KEY}
    ) as http:
        yield http
