"""A service built with create_app: lifespan, readiness, bearer tokens and tenancy."""

import httpx
import pytest
from crossdock_common.auth.dependencies import Reader
from crossdock_common.auth.tokens import issue_token
from crossdock_common.service import ServiceDefinition, create_app, not_found
from crossdock_common.settings import ServiceSettings
from fastapi import APIRouter

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

SECRET = "test-secret-of-at-least-32-characters!"


def build_app(database_dsn, kafka_bootstrap, tmp_path):
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0001_notes.sql").write_text("CREATE TABLE notes (account_id text, note_id text, body text);")
    router = APIRouter()

    @router.get("/v1/notes/{note_id}")
    async def get_note(note_id: str, principal: Reader, request: __import__("fastapi").Request) -> dict:
        runtime = request.app.state.runtime
        async with runtime.pool.acquire() as connection:
            row = await connection.fetchrow(
                "SELECT body FROM notes WHERE account_id = $1 AND note_id = $2", principal.account_id, note_id
            )
        if row is None:
            raise not_found("note", note_id)
        return {"body": row["body"]}

    definition = ServiceDefinition(name="notes", schema="notes", migrations=migrations, routers=[router])
    settings = ServiceSettings(
        kafka_bootstrap_servers=kafka_bootstrap, database_url=database_dsn, jwt_secret=SECRET, log_format="text"
    )
    return create_app(definition, settings=settings)


@pytest.fixture
async def client(database_dsn, kafka_bootstrap, tmp_path):
    app = build_app(database_dsn, kafka_bootstrap, tmp_path)
    async with app.router.lifespan_context(app):
        async with app.state.runtime.pool.acquire() as connection:
            await connection.execute(
                "INSERT INTO notes VALUES ('acme', 'n-1', 'for acme'), ('globex', 'n-2', 'for globex')"
            )
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield http


def bearer(account_id, scopes=("read",)):
    return {"Authorization": f"Bearer {issue_token(secret=SECRET, account_id=account_id, scopes=list(scopes))}"}


async def test_runtime_readyz_reports_dependencies(client):
    response = await client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"] == {"postgres": "ok", "kafka": "ok"}


async def test_runtime_own_record_is_readable(client):
    response = await client.get("/v1/notes/n-1", headers=bearer("acme"))

    assert response.status_code == 200
    assert response.json() == {"body": "for acme"}


async def test_runtime_other_account_record_is_not_found(client):
    response = await client.get("/v1/notes/n-2", headers=bearer("acme"))

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "note 'n-2' not found"


async def test_runtime_missing_token_is_unauthorized(client):
    response = await client.get("/v1/notes/n-1")

    assert response.status_code == 401
    assert "bearer token" in response.json()["detail"]


async def test_runtime_missing_scope_is_forbidden(client):
    response = await client.get("/v1/notes/n-1", headers=bearer("acme", scopes=()))

    assert response.status_code == 403


async def test_runtime_metrics_and_healthz_need_no_token(client):
    health = await client.get("/healthz")
    metrics = await client.get("/metrics")

    assert health.status_code == 200
    assert metrics.status_code == 200
    assert "crossdock_events_published_total" in metrics.text
