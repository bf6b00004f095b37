"""The FastAPI application every service starts from."""

from fastapi import FastAPI


def create_app(*, service: str, description: str = "") -> FastAPI:
    """Build a service app that answers `/healthz` while the process is up."""
    app = FastAPI(title=f"crossdock {service}", description=description)

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        """Report that the process is up; checks no dependency."""
        return {"status": "ok", "service": service}

    return app
