"""The app factory and the module-level app of `crossdock-sandbox-3pl`."""

import httpx
from crossdock_sandbox.threepl import main
from crossdock_sandbox.threepl.app import create_sandbox_app


async def test_main_app_healthz_ok():
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=main.app), base_url="http://test") as client:
        response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"


async def test_factory_apps_share_no_state(settings):
    first = create_sandbox_app(settings=settings)
    second = create_sandbox_app(settings=settings)

    first.state.sandbox.store.accounts.clear()

    assert second.state.sandbox.store.accounts.keys() == {"default"}
    await first.state.sandbox.aclose()
    await second.state.sandbox.aclose()


def test_main_run_is_callable():
    assert callable(main.run)
