"""FastAPI dependencies that authenticate API callers with bearer tokens."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from crossdock_common.auth.tokens import Principal, TokenError, verify_token
from crossdock_common.service.problems import ProblemError

_bearer = HTTPBearer(auto_error=False, description="a token from `crossdock-token issue`")


def _jwt_secret(request: Request) -> str:
    secret = getattr(request.app.state, "jwt_secret", None)
    if not secret:
        raise ProblemError(status=503, title="Service not ready", detail="CROSSDOCK_JWT_SECRET is not configured")
    return secret


async def current_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    """Return the caller's principal, or raise a 401 problem naming what is wrong with the token."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ProblemError(
            status=401,
            title="Unauthorized",
            detail="missing bearer token; send 'Authorization: Bearer <token>' (issue one with crossdock-token)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    try:
        return verify_token(credentials.credentials, secret=_jwt_secret(request))
    except TokenError as error:
        raise ProblemError(
            status=401, title="Unauthorized", detail=str(error), headers={"WWW-Authenticate": "Bearer"}
        ) from None


def require_scope(scope: str):
    """Build a dependency that also checks that the caller has `scope`. The admin scope includes every scope."""

    async def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not principal.has_scope(scope):
            raise ProblemError(status=403, title="Forbidden", detail=f"this operation needs the '{scope}' scope")
        return principal

    return dependency


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
Reader = Annotated[Principal, Depends(require_scope("read"))]
Writer = Annotated[Principal, Depends(require_scope("write"))]
