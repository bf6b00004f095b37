"""Seller consent page and the token endpoints of TikTok's auth host."""

import html
from typing import Annotated
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from crossdock_sandbox.tiktok import errors
from crossdock_sandbox.tiktok.runtime import SandboxRuntime, get_runtime
from crossdock_sandbox.tiktok.store import App

router = APIRouter(tags=["oauth"])
Runtime = Annotated[SandboxRuntime, Depends(get_runtime)]


@router.get("/oauth/authorize", response_model=None)
async def authorize_by_app_key(request: Request, runtime: Runtime) -> HTMLResponse | RedirectResponse:
    """Show the consent page for `app_key` (the link style SDKs build), or redirect at once for an auto-approve app."""
    app = runtime.store.apps.get(request.query_params.get("app_key", ""))
    return _consent(runtime, app, request)


@router.get("/open/authorize", response_model=None)
async def authorize_by_service_id(request: Request, runtime: Runtime) -> HTMLResponse | RedirectResponse:
    """Show the consent page for `service_id` (the link Partner Center copies)."""
    service_id = request.query_params.get("service_id", "")
    app = next((a for a in runtime.store.apps.values() if a.service_id and a.service_id == service_id), None)
    return _consent(runtime, app, request)


@router.post("/oauth/authorize", response_model=None)
async def decide(request: Request, runtime: Runtime) -> HTMLResponse | RedirectResponse:
    """Handle the seller's click: redirect with a code on approval or `error=auth_denied` on rejection."""
    form = {key: values[0] for key, values in parse_qs((await request.body()).decode()).items()}
    app = runtime.store.apps.get(form.get("app_key", ""))
    if app is None:
        return HTMLResponse("<p>Unknown app_key.</p>", status_code=400)
    state = form.get("state", "")

    if form.get("decision") != "approve":
        return RedirectResponse(
            _with_query(app.redirect_url, {"error": "auth_denied", "state": state}), status_code=302
        )
    return _approve(runtime, app, state=state, seller_open_id=form.get("seller_open_id"))


@router.get("/api/v2/token/get")
async def token_get(request: Request, runtime: Runtime) -> dict:
    """Exchange an auth code for an access and refresh token (`grant_type=authorized_code`)."""
    query = request.query_params
    grant = runtime.tokens.exchange_code(
        app_key=query.get("app_key", ""),
        app_secret=query.get("app_secret", ""),
        auth_code=query.get("auth_code", ""),
        grant_type=query.get("grant_type", ""),
    )
    return errors.envelope(runtime.tokens.token_data(grant))


@router.get("/api/v2/token/refresh")
async def token_refresh(request: Request, runtime: Runtime) -> dict:
    """Trade a refresh token for a new token pair (`grant_type=refresh_token`)."""
    query = request.query_params
    grant = runtime.tokens.refresh(
        app_key=query.get("app_key", ""),
        app_secret=query.get("app_secret", ""),
        refresh_token=query.get("refresh_token", ""),
        grant_type=query.get("grant_type", ""),
    )
    return errors.envelope(runtime.tokens.token_data(grant))


def approve_redirect_url(runtime: SandboxRuntime, app: App, *, state: str, seller_open_id: str | None) -> str:
    """Issue a code for the seller (the first seller when none is named) and return the callback URL."""
    sellers = runtime.store.sellers
    seller = sellers.get(seller_open_id or "") or next(iter(sellers.values()))
    code = runtime.tokens.issue_code(app=app, seller=seller)
    return _with_query(app.redirect_url, {"code": code.code, "state": state})


def _approve(runtime: SandboxRuntime, app: App, *, state: str, seller_open_id: str | None) -> RedirectResponse:
    return RedirectResponse(
        approve_redirect_url(runtime, app, state=state, seller_open_id=seller_open_id), status_code=302
    )


def _consent(runtime: SandboxRuntime, app: App | None, request: Request) -> HTMLResponse | RedirectResponse:
    if app is None:
        return HTMLResponse("<p>Unknown app: check app_key or service_id.</p>", status_code=400)
    state = request.query_params.get("state", "")
    if app.auto_approve:
        return _approve(runtime, app, state=state, seller_open_id=request.query_params.get("seller_open_id"))

    options = "".join(
        f'<label><input type="radio" name="seller_open_id" value="{html.escape(s.open_id)}"{" checked" if i == 0 else ""}> '
        f"{html.escape(s.name)} ({html.escape(s.base_region)})</label><br>"
        for i, s in enumerate(runtime.store.sellers.values())
    )
    page = (
        "<!doctype html><title>Authorize app</title><h1>TikTok Shop sandbox: authorize "
        f"{html.escape(app.app_key)}</h1><form method=post action=/oauth/authorize>"
        f'<input type=hidden name=app_key value="{html.escape(app.app_key)}">'
        f'<input type=hidden name=state value="{html.escape(state)}">{options}'
        "<button name=decision value=approve>Authorize</button> <button name=decision value=deny>Cancel</button></form>"
    )
    return HTMLResponse(page)


def _with_query(url: str, params: dict[str, str]) -> str:
    separator = "&" if "?" in url else "?"
    return url + separator + urlencode(params)
