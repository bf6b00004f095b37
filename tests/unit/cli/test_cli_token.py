"""`crossdock token issue`."""

from crossdock_cli.main import app
from crossdock_common.auth.tokens import verify_token
from typer.testing import CliRunner

SECRET = "cli-test-secret-of-at-least-32-characters"


def test_token_issue_prints_verifiable_token(monkeypatch):
    monkeypatch.setenv("CROSSDOCK_JWT_SECRET", SECRET)

    result = CliRunner().invoke(app, ["token", "issue", "--account", "acme", "--scope", "read"])

    assert result.exit_code == 0
    principal = verify_token(result.stdout.strip(), secret=SECRET)
    assert principal.account_id == "acme"
    assert principal.scopes == frozenset({"read"})


def test_token_issue_without_secret_fails_clearly(monkeypatch):
    monkeypatch.delenv("CROSSDOCK_JWT_SECRET", raising=False)

    result = CliRunner().invoke(app, ["token", "issue", "--account", "acme"])

    assert result.exit_code == 2
    assert "CROSSDOCK_JWT_SECRET" in result.output


def test_token_issue_rejects_unknown_scope(monkeypatch):
    monkeypatch.setenv("CROSSDOCK_JWT_SECRET", SECRET)

    result = CliRunner().invoke(app, ["token", "issue", "--account", "acme", "--scope", "root"])

    assert result.exit_code == 2
    assert "root" in result.output
