"""Every environment variable a service reads is documented with its default.

A variable is documented when `docs/configuration.md` or the service's own page
has a table row naming it in backticks, so a new setting cannot ship unnoticed.
"""

import importlib
import re

import pytest

SERVICE_PAGES = {
    "crossdock_catalog.main": "catalog.md",
    "crossdock_inventory.main": "inventory.md",
    "crossdock_order_routing.main": "order-routing.md",
    "crossdock_mirakl_connector.main": "mirakl-connector.md",
    "crossdock_tiktok_connector.main": "tiktok-connector.md",
}


def settings_env_vars(module_name: str) -> set[str]:
    definition = importlib.import_module(module_name).app.state.definition
    names = set()
    for field in definition.settings_class.model_fields.values():
        alias = field.validation_alias
        names.add(alias.choices[0] if hasattr(alias, "choices") else alias)
    return names


def documented_variables(text: str) -> set[str]:
    """Return the upper-case names in backticks on the page's table rows."""
    rows = (line for line in text.splitlines() if line.startswith("|"))
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row)}


@pytest.mark.parametrize("module_name", sorted(SERVICE_PAGES))
def test_every_service_setting_is_documented(module_name, repo_root):
    docs = repo_root / "docs"
    documented = documented_variables((docs / "configuration.md").read_text())
    documented |= documented_variables((docs / SERVICE_PAGES[module_name]).read_text())

    missing = sorted(settings_env_vars(module_name) - documented)

    assert missing == [], f"document these in docs/{SERVICE_PAGES[module_name]} or docs/configuration.md: {missing}"


def test_every_port_variable_is_in_the_ports_table(repo_root):
    from crossdock_cli.stack import COMPONENTS

    documented = documented_variables((repo_root / "docs" / "configuration.md").read_text())

    assert sorted({component.port_env for component in COMPONENTS} - documented) == []
