"""OAuth: consent page, auto-approve, code exchange, refresh and token expiry."""

from urllib.parse import parse_qs, urlsplit

from crossdock_sandbox.tiktok.seed import DEFAULT_APP_KEY, DEFAULT_APP_SECRET

from .conftest import FROZEN_NOW


def _code_from(location: str) -> dict:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


async def _exchange(http, code: str, grant_type: str = "authorized_code"):
    return await http.get(
        "/api/v2/token/get",
        params={
            "app_key": DEFAULT_APP_KEY,
            "app_secret": DEFAULT_APP_SECRET,
            "auth_code": code,
            "grant_type": grant_type,
        },
    )


async def test_authorize_page_shows_consent_form(http):
    response = await http.get("/oauth/authorize", params={"app_key": DEFAULT_APP_KEY, "state": "s-1"})

    assert response.status_code == 200
    assert "<form" in response.text
    assert "Crossdock Sandbox Seller" in response.text


async def test_authorize_click_redirects_with_code_and_state(http):
    response = await http.post(
        "/oauth/authorize",
        content=f"app_key={DEFAULT_APP_KEY}&state=s-2&decision=approve",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )

    assert response.status_code == 302
    assert response.headers["location"].startswith("http://127.0.0.1:9/callback?")
    params = _code_from(response.headers["location"])
    assert params["state"] == "s-2"
    assert params["code"]


async def test_authorize_denied_redirects_with_error(http):
    response = await http.post(
        "/oauth/authorize",
        content=f"app_key={DEFAULT_APP_KEY}&state=s-3&decision=deny",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )

    params = _code_from(response.headers["location"])
    assert params == {"error": "auth_denied", "state": "s-3"}


async def test_authorize_service_id_link_works(http):
    response = await http.get("/open/authorize", params={"service_id": "7100000000000000001", "state": "s"})

    assert response.status_code == 200
    assert DEFAULT_APP_KEY in response.text


async def test_authorize_auto_approve_app_redirects_at_once(http):
    await http.put(f"/_sandbox/apps/{DEFAULT_APP_KEY}", json={"auto_approve": True})

    response = await http.get("/oauth/authorize", params={"app_key": DEFAULT_APP_KEY, "state": "s-4"})

    assert response.status_code == 302
    assert _code_from(response.headers["location"])["state"] == "s-4"


async def test_token_get_returns_absolute_expiry(http):
    location = (await http.get("/_sandbox/oauth/authorize", params={"app_key": DEFAULT_APP_KEY, "state": "x"})).headers[
        "location"
    ]

    response = await _exchange(http, _code_from(location)["code"])

    body = response.json()
    assert response.status_code == 200
    assert body["code"] == 0
    assert set(body) == {"code", "message", "request_id", "data"}
    assert body["data"]["access_token_expire_in"] == FROZEN_NOW + 7 * 24 * 3600
    assert body["data"]["refresh_token_expire_in"] > body["data"]["access_token_expire_in"]
    assert body["data"]["seller_base_region"] == "US"


async def test_token_get_code_single_use(http):
    location = (await http.get("/_sandbox/oauth/authorize", params={"app_key": DEFAULT_APP_KEY})).headers["location"]
    code = _code_from(location)["code"]
    await _exchange(http, code)

    again = await _exchange(http, code)

    assert again.json()["code"] == 36004004


async def test_token_get_wrong_grant_type_rejected(http):
    location = (await http.get("/_sandbox/oauth/authorize", params={"app_key": DEFAULT_APP_KEY})).headers["location"]

    response = await _exchange(http, _code_from(location)["code"], grant_type="authorization_code")

    assert response.json()["code"] == 36009004
    assert "authorized_code" in response.json()["message"]


async def test_token_get_expired_code_rejected(http, runtime):
    location = (await http.get("/_sandbox/oauth/authorize", params={"app_key": DEFAULT_APP_KEY})).headers["location"]
    runtime.clock.advance(31 * 60)

    response = await _exchange(http, _code_from(location)["code"])

    assert response.json()["code"] == 36004004


async def test_token_refresh_rotates_both_tokens(http, api):
    tokens = await api.authorize()

    response = await http.get(
        "/api/v2/token/refresh",
        params={
            "app_key": DEFAULT_APP_KEY,
            "app_secret": DEFAULT_APP_SECRET,
            "refresh_token": tokens["refresh_token"],
            "grant_type": "refresh_token",
        },
    )

    data = response.json()["data"]
    assert response.json()["code"] == 0
    assert data["access_token"] != tokens["access_token"]
    assert data["refresh_token"] != tokens["refresh_token"]
    reused = await http.get(
        "/api/v2/token/refresh",
        params={
            "app_key": DEFAULT_APP_KEY,
            "app_secret": DEFAULT_APP_SECRET,
            "refresh_token": tokens["refresh_token"],
            "grant_type": "refresh_token",
        },
    )
    assert reused.json()["code"] == 36004005


async def test_token_refresh_expired_refresh_token_rejected(http, api):
    tokens = await api.authorize()
    await http.post("/_sandbox/tokens/expire", json={"kind": "refresh", "token": tokens["refresh_token"]})

    response = await http.get(
        "/api/v2/token/refresh",
        params={
            "app_key": DEFAULT_APP_KEY,
            "app_secret": DEFAULT_APP_SECRET,
            "refresh_token": tokens["refresh_token"],
            "grant_type": "refresh_token",
        },
    )

    assert response.status_code == 200
    assert response.json()["code"] == 36004001


async def test_gateway_expired_access_token_rejected(http, api):
    await http.post("/_sandbox/tokens/expire", json={"kind": "access", "token": api.access_token})

    response = await api.call("GET", "/authorization/202309/shops", cipher=None)

    assert response.json()["code"] == 105002


async def test_gateway_access_token_expires_after_seven_days(api, runtime):
    runtime.clock.advance(7 * 24 * 3600)

    response = await api.call("GET", "/authorization/202309/shops", cipher=None, timestamp=int(runtime.clock.now()))

    assert response.json()["code"] == 105002
