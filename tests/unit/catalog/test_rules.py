"""Catalog source rules and channel SKU rules."""

import pytest
from crossdock_catalog.domain.channel_options import (
    ChannelSkuRejected,
    IntegrationView,
    channel_sku_offered,
    check_channel_sku_allowed,
)
from crossdock_catalog.domain.source import api_may_edit, channel_may_create, integration_may_update

MIRAKL = IntegrationView(
    integration_id="mirakl-1", type="mirakl", name="FR", status="connected", supports_channel_sku=True
)
TIKTOK = IntegrationView(
    integration_id="tiktok-1", type="tiktok", name="US", status="connected", supports_channel_sku=False
)


@pytest.mark.parametrize(
    ("source", "channel", "expected"),
    [
        ("mirakl", "mirakl", True),
        ("mirakl", "tiktok", False),
        ("tiktok", "tiktok", True),
        ("both", "mirakl", True),
        ("both", "tiktok", True),
        ("other", "mirakl", False),
    ],
)
def test_channel_may_create_per_source(source, channel, expected):
    assert channel_may_create(source, channel) is expected


def test_integration_may_update_only_owner_while_source():
    def may(source, owner):
        return integration_may_update(
            source=source, channel="mirakl", integration_id="mirakl-1", owner_integration_id=owner
        )

    assert may("mirakl", "mirakl-1")
    assert may("both", "mirakl-1")
    assert not may("both", "tiktok-1")
    assert not may("tiktok", "mirakl-1")
    assert not may("other", "mirakl-1")
    assert not may("mirakl", None)


def test_api_may_edit_only_other():
    assert api_may_edit("other")
    assert not api_may_edit("mirakl")


def test_channel_sku_rejected_on_tiktok():
    with pytest.raises(ChannelSkuRejected, match="TikTok SKUs must equal the master SKU"):
        check_channel_sku_allowed(integration=TIKTOK, sku="A", product_type="simple", parent_has_channel_skus=False)


def test_channel_sku_rejected_on_parent_without_channel_skus():
    with pytest.raises(ChannelSkuRejected, match="set channelSku on its variants"):
        check_channel_sku_allowed(integration=MIRAKL, sku="P", product_type="parent", parent_has_channel_skus=False)

    check_channel_sku_allowed(integration=MIRAKL, sku="P", product_type="parent", parent_has_channel_skus=True)
    check_channel_sku_allowed(integration=MIRAKL, sku="V", product_type="variant", parent_has_channel_skus=False)


def test_channel_sku_offered_matches_rules():
    assert channel_sku_offered(integration=MIRAKL, product_type="simple", parent_has_channel_skus=False)
    assert not channel_sku_offered(integration=MIRAKL, product_type="parent", parent_has_channel_skus=False)
    assert not channel_sku_offered(integration=TIKTOK, product_type="simple", parent_has_channel_skus=False)
