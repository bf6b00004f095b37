"""API bearer tokens and OAuth state."""

import time

import jwt
import pytest
from crossdock_common.auth.oauth_state import make_oauth_state, read_oauth_state
from crossdock_common.auth.signatures import sign_body, verify_body_signature
from crossdock_common.auth.tokens import TokenError, issue_token, verify_token

SECRET = "s" * 40


def test_token_round_trip_carries_account_and_scopes():
    token = issue_token(secret=SECRET, account_id="acme", scopes=["read"])

    principal = verify_token(token, secret=SECRET)

    assert principal.account_id == "acme"
    assert principal.has_scope("read")
    assert not principal.has_scope("write")


def test_token_signed_with_other_key_is_rejected():
    token = issue_token(secret="x" * 40, account_id="acme", scopes=["read"])

    with pytest.raises(TokenError):
        verify_token(token, secret=SECRET)


def test_token_expired_is_rejected():
    claims = {
        "iss": "crossdock",
        "account_id": "acme",
        "scopes": [],
        "iat": int(time.time()) - 100,
        "exp": int(time.time()) - 10,
    }
    token = jwt.encode(claims, SECRET, algorithm="HS256")

    with pytest.raises(TokenError) as raised:
        verify_token(token, secret=SECRET)

    assert "expired" in str(raised.value)


def test_token_unknown_scope_is_rejected():
    with pytest.raises(ValueError) as raised:
        issue_token(secret=SECRET, account_id="acme", scopes=["root"])

    assert "root" in str(raised.value)


def test_oauth_state_round_trip():
    state, nonce = make_oauth_state(secret=SECRET, account_id="acme", integration_id="tiktok-1")

    claims = read_oauth_state(state, secret=SECRET)

    assert claims == {"account_id": "acme", "integration_id": "tiktok-1", "nonce": nonce}


def test_oauth_state_and_api_token_are_not_interchangeable():
    state, _nonce = make_oauth_state(secret=SECRET, account_id="acme", integration_id="tiktok-1")
    token = issue_token(secret=SECRET, account_id="acme", scopes=["read"])

    with pytest.raises(TokenError):
        read_oauth_state(token, secret=SECRET)
    with pytest.raises(TokenError):
        verify_token(state, secret=SECRET)


def test_body_signature_accepts_upper_case_hex():
    body = b'{"request_id":"sr-1"}'
    signature = sign_body(body, "shared")

    assert verify_body_signature(body, "shared", signature)
    assert verify_body_signature(body, "shared", "sha256=" + signature.removeprefix("sha256=").upper())


@pytest.mark.parametrize("header", [None, "", "sha1=abc", "sha256=00"])
def test_body_signature_rejects_missing_or_wrong(header):
    assert not verify_body_signature(b"{}", "shared", header)


def test_body_signature_rejects_tampered_body():
    signature = sign_body(b'{"quantity":1}', "shared")

    assert not verify_body_signature(b'{"quantity":9}', "shared", signature)
