"""Setting arguments and error lines of the `crossdock` commands, without services."""

import httpx
import pytest
from crossdock_cli.api import CliError, describe_error_response
from crossdock_cli.main import app
from crossdock_cli.settings_values import parse_assignment
from typer.testing import CliRunner


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ordersAutoAccept=true", ("ordersAutoAccept", True)),
        ("ordersPollSeconds=600", ("ordersPollSeconds", 600)),
        ('ordersStatuses=["WAITING_ACCEPTANCE","SHIPPING"]', ("ordersStatuses", ["WAITING_ACCEPTANCE", "SHIPPING"])),
        ("products=pull", ("products", "pull")),
        ("shopId=", ("shopId", "")),
        ("note=a=b", ("note", "a=b")),
        ("shopId=null", ("shopId", None)),
    ],
)
def test_parse_assignment_values(text, expected):
    assert parse_assignment(text) == expected


def test_parse_assignment_keeps_string_settings_strings():
    assert parse_assignment("offerStateCode=11", {"offerStateCode": "11"}) == ("offerStateCode", "11")
    assert parse_assignment("ordersPollSeconds=600", {"ordersPollSeconds": 300}) == ("ordersPollSeconds", 600)


@pytest.mark.parametrize("text", ["ordersAutoAccept", "=true", " =1"])
def test_parse_assignment_rejects_missing_key_or_sign(text):
    with pytest.raises(CliError, match="write it as key=value"):
        parse_assignment(text)


def _response(status: int, **kwargs) -> httpx.Response:
    request = httpx.Request("PATCH", "http://127.0.0.1:8111/v1/integrations/mirakl-1/settings")
    return httpx.Response(status, request=request, **kwargs)


def test_error_line_uses_problem_detail():
    response = _response(
        422, json={"type": "about:blank", "title": "Invalid settings", "status": 422, "detail": "products: bad"}
    )

    message = describe_error_response("mirakl_connector", response)

    assert message == (
        "Mirakl connector: 422 Invalid settings: products: bad (PATCH /v1/integrations/mirakl-1/settings)"
    )


def test_error_line_without_problem_body():
    message = describe_error_response("inventory", _response(502, text="<html>\nBad gateway</html>"))

    assert message == "inventory: 502 <html> Bad gateway</html> (PATCH /v1/integrations/mirakl-1/settings)"


def test_error_line_for_401_points_to_token():
    response = _response(401, json={"title": "Unauthorized", "status": 401, "detail": "token expired"})

    message = describe_error_response("catalog", response)

    assert message.startswith("catalog: 401 Unauthorized: token expired")
    assert "CROSSDOCK_TOKEN" in message


def test_commands_need_a_token(monkeypatch):
    monkeypatch.delenv("CROSSDOCK_TOKEN", raising=False)

    result = CliRunner().invoke(app, ["integrations", "list"])

    assert result.exit_code == 1
    assert "CROSSDOCK_TOKEN is not set" in result.stderr


@pytest.mark.parametrize(
    "arguments",
    [
        ["locations", "link", "--integration", "3pl-x"],
        ["locations", "link", "loc-1", "--all-unlinked", "--integration", "3pl-x"],
        ["orders", "retry", "order-1", "--all"],
    ],
)
def test_commands_reject_ambiguous_targets(monkeypatch, arguments):
    monkeypatch.setenv("CROSSDOCK_TOKEN", "unused")

    result = CliRunner().invoke(app, arguments)

    assert result.exit_code == 1
    assert "error:" in result.stderr
