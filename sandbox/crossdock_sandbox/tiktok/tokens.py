"""Authorization codes, token pairs, refresh and access-token checks.

Lifetimes follow TikTok Shop's authorization guide: an auth code lives 30 minutes and
works once, an access token 7 days. The refresh token here lives 365 days, which
matches one official sample. Real lifetimes vary, so clients must read the absolute
`*_expire_in` Unix times from the response. Lifetimes are not multiplied by the time
scale because they are not call-frequency limits; tests force expiry instead.
"""

import secrets
from dataclasses import dataclass

from crossdock_sandbox.tiktok import errors
from crossdock_sandbox.tiktok.clock import SandboxClock
from crossdock_sandbox.tiktok.store import App, AuthCode, Grant, SandboxStore, Seller

AUTH_CODE_LIFETIME_SECONDS = 30 * 60
ACCESS_TOKEN_LIFETIME_SECONDS = 7 * 24 * 3600
REFRESH_TOKEN_LIFETIME_SECONDS = 365 * 24 * 3600

GRANTED_SCOPES = [
    "seller.authorization.info",
    "seller.shop.info",
    "seller.product.basic",
    "seller.product.write",
    "seller.order.info",
    "seller.fulfillment.basic",
    "seller.logistics",
    "seller.return_refund.basic",
    "event.webhook",
]


@dataclass
class TokenService:
    store: SandboxStore
    clock: SandboxClock

    def issue_code(self, *, app: App, seller: Seller) -> AuthCode:
        """Create a single-use auth code for the consent redirect."""
        code = AuthCode(
            code="ROW_" + secrets.token_urlsafe(24),
            app_key=app.app_key,
            seller_open_id=seller.open_id,
            expires_at=self.clock.now_int() + AUTH_CODE_LIFETIME_SECONDS,
        )
        self.store.auth_codes[code.code] = code
        return code

    def exchange_code(self, *, app_key: str, app_secret: str, auth_code: str, grant_type: str) -> Grant:
        """Turn an auth code into a token pair, rejecting reuse, expiry and the wrong grant type."""
        app = self._authenticate_app(app_key, app_secret)
        if grant_type != "authorized_code":
            raise errors.TikTokApiError(
                errors.INVALID_COMMON_PARAMETER, f"grant_type {grant_type!r} is invalid; use authorized_code"
            )

        code = self.store.auth_codes.get(auth_code)
        if code is None or code.app_key != app.app_key or code.used or code.expires_at < self.clock.now_int():
            raise errors.TikTokApiError(
                errors.INVALID_AUTH_CODE, "Invalid auth code: it is unknown, expired or already used"
            )

        code.used = True
        return self._new_grant(app_key=app.app_key, seller_open_id=code.seller_open_id)

    def refresh(self, *, app_key: str, app_secret: str, refresh_token: str, grant_type: str) -> Grant:
        """Issue a new token pair for a refresh token; the old refresh token stops working."""
        app = self._authenticate_app(app_key, app_secret)
        if grant_type != "refresh_token":
            raise errors.TikTokApiError(
                errors.INVALID_COMMON_PARAMETER, f"grant_type {grant_type!r} is invalid; use refresh_token"
            )

        grant = next(
            (g for g in self.store.grants if g.refresh_token == refresh_token and g.app_key == app.app_key), None
        )
        if grant is None or grant.revoked:
            raise errors.TikTokApiError(errors.AUTH_RECORD_NOT_FOUND, "can not find related auth record")
        if grant.refresh_token_expire_in <= self.clock.now_int():
            raise errors.TikTokApiError(errors.REFRESH_TOKEN_EXPIRED, "rt has expired")

        grant.revoked = True
        # The access token of the old pair stays usable until its own expiry, so calls
        # already in flight during a refresh do not fail.
        fresh = self._new_grant(app_key=app.app_key, seller_open_id=grant.seller_open_id)
        return fresh

    def resolve_access_token(self, *, token: str, app_key: str) -> Grant:
        """Return the grant of a valid access token, or raise the error TikTok returns for it."""
        grant = next((g for g in self.store.grants if g.access_token == token), None)
        if grant is None or grant.app_key != app_key:
            raise errors.TikTokApiError(
                errors.INVALID_COMMON_PARAMETER, "Invalid credentials: x-tts-access-token is invalid", http_status=401
            )
        if grant.access_token_expire_in <= self.clock.now_int():
            raise errors.TikTokApiError(
                errors.ACCESS_TOKEN_EXPIRED, "Access token is expired, please refresh it", http_status=401
            )
        return grant

    def expire(self, *, kind: str, token: str | None = None, app_key: str | None = None) -> int:
        """Force the access or refresh token (or both) of matching grants into the past; return how many changed."""
        if kind not in ("access", "refresh", "both"):
            raise ValueError(f"unknown token kind {kind!r}; use access, refresh or both")

        past = self.clock.now_int() - 1
        changed = 0
        for grant in self.store.grants:
            if token is not None and token not in (grant.access_token, grant.refresh_token):
                continue
            if app_key is not None and grant.app_key != app_key:
                continue
            if kind in ("access", "both"):
                grant.access_token_expire_in = past
            if kind in ("refresh", "both"):
                grant.refresh_token_expire_in = past
            changed += 1
        return changed

    def token_data(self, grant: Grant) -> dict:
        """Build the `data` object of the token get and refresh responses."""
        seller = self.store.sellers[grant.seller_open_id]
        return {
            "access_token": grant.access_token,
            "access_token_expire_in": grant.access_token_expire_in,
            "refresh_token": grant.refresh_token,
            "refresh_token_expire_in": grant.refresh_token_expire_in,
            "open_id": seller.open_id,
            "seller_name": seller.name,
            "seller_base_region": seller.base_region,
            "user_type": 0,
            "granted_scopes": list(grant.granted_scopes),
        }

    def _authenticate_app(self, app_key: str, app_secret: str) -> App:
        app = self.store.apps.get(app_key)
        if app is None or not secrets.compare_digest(app.app_secret.encode(), app_secret.encode()):
            raise errors.TikTokApiError(errors.INVALID_COMMON_PARAMETER, "Invalid app_key or app_secret")
        return app

    def _new_grant(self, *, app_key: str, seller_open_id: str) -> Grant:
        now = self.clock.now_int()
        grant = Grant(
            app_key=app_key,
            seller_open_id=seller_open_id,
            access_token="TTP_" + secrets.token_urlsafe(40),
            access_token_expire_in=now + ACCESS_TOKEN_LIFETIME_SECONDS,
            refresh_token="TTP_" + secrets.token_urlsafe(40),
            refresh_token_expire_in=now + REFRESH_TOKEN_LIFETIME_SECONDS,
            granted_scopes=list(GRANTED_SCOPES),
        )
        self.store.grants.append(grant)
        return grant
