"""Sandbox settings from the environment."""

import pytest
from crossdock_sandbox.threepl.settings import SandboxSettings


def test_settings_defaults():
    settings = SandboxSettings.from_env({})

    assert settings.default_account_id == "default"
    assert settings.default_hub_url == "http://127.0.0.1:8103"
    assert settings.tracking_url_template == "http://127.0.0.1:8203/_sandbox/tracking/{tracking_number}"


def test_settings_read_from_env():
    env = {
        "CROSSDOCK_SANDBOX_3PL_SECRET": "abc",
        "CROSSDOCK_SANDBOX_3PL_HUB_URL": "http://127.0.0.1:9999",
        "CROSSDOCK_SANDBOX_3PL_INTEGRATION_ID": "int-7",
        "CROSSDOCK_SANDBOX_3PL_SHIP_DELAY_SECONDS": "0.25",
        "CROSSDOCK_SANDBOX_3PL_PACKAGES": "2",
        "CROSSDOCK_SANDBOX_3PL_POST_ATTEMPTS": "7",
    }

    settings = SandboxSettings.from_env(env)

    assert settings.default_secret == "abc"
    assert settings.default_hub_url == "http://127.0.0.1:9999"
    assert settings.default_integration_id == "int-7"
    assert settings.ship_delay_seconds == 0.25
    assert settings.packages == 2
    assert settings.post_attempts == 7


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("CROSSDOCK_SANDBOX_3PL_SHIP_DELAY_SECONDS", "soon", "not a number"),
        ("CROSSDOCK_SANDBOX_3PL_SHIP_DELAY_SECONDS", "-1", "0 or more"),
        ("CROSSDOCK_SANDBOX_3PL_PACKAGES", "1.5", "not an integer"),
        ("CROSSDOCK_SANDBOX_3PL_PACKAGES", "0", "at least 1"),
        ("CROSSDOCK_SANDBOX_3PL_POST_ATTEMPTS", "0", "1 or more"),
    ],
)
def test_settings_invalid_value_is_named(name, value, message):
    with pytest.raises(ValueError, match=message):
        SandboxSettings.from_env({name: value})
