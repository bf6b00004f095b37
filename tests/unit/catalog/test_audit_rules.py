"""SKU audit rules on in-memory rows."""

from crossdock_catalog.domain.audit import (
    ChannelProductRow,
    MasterRow,
    OptionRow,
    identity_conflict,
    run_audit,
)


def _master(sku, title="", gtin=None, product_type="simple"):
    return MasterRow(sku=sku, product_type=product_type, title=title, gtin=gtin)


def _channel(integration_id, product_id, channel_sku, master_sku, title="", gtin=None):
    return ChannelProductRow(
        integration_id=integration_id,
        channel_product_id=product_id,
        channel_sku=channel_sku,
        title=title,
        gtin=gtin,
        master_sku=master_sku,
    )


def test_identity_conflict_rules():
    assert identity_conflict(("Mug", "4006381333931"), ("Hose", "04006381333931")) is None
    assert identity_conflict(("Mug", "4006381333931"), ("Mug", "0012345678905")) == "GTIN differs"
    assert identity_conflict(("Blue Mug!", None), ("blue  mug", "4006381333931")) is None
    assert identity_conflict(("Blue mug", None), ("Garden hose", None)) == "title differs"
    assert identity_conflict(("", None), ("Garden hose", None)) is None


def test_audit_collision_between_unlinked_channel_products():
    report = run_audit(
        masters=[],
        channel_products=[
            _channel("mirakl-1", "m1", "SHARED-1", None, title="Blue mug"),
            _channel("tiktok-1", "t1", "SHARED-1", None, title="Garden hose"),
        ],
        options=[],
        sales_integrations=["mirakl-1", "tiktok-1"],
    )

    assert [item["sku"] for item in report["collisions"]] == ["SHARED-1"]
    assert report["collisions"][0]["reasons"] == ["title differs"]


def test_audit_near_miss_masters_and_mapping():
    report = run_audit(
        masters=[_master("ABC-1"), _master("abc-1"), _master("X-1")],
        channel_products=[_channel("mirakl-1", "m1", "mk-x", None)],
        options=[OptionRow(sku="X-1", integration_id="mirakl-1", sync_to_channel=True, channel_sku="MK-X")],
        sales_integrations=["mirakl-1"],
    )

    findings = {(item["kind"], item["sku"], item["similar_sku"]) for item in report["near_misses"]}
    assert findings == {("master_vs_master", "abc-1", "ABC-1"), ("channel_vs_master", "mk-x", "MK-X")}


def test_audit_channel_sku_equal_to_other_master():
    report = run_audit(
        masters=[_master("A-1"), _master("B-1")],
        channel_products=[],
        options=[OptionRow(sku="A-1", integration_id="mirakl-1", sync_to_channel=True, channel_sku="B-1")],
        sales_integrations=["mirakl-1"],
    )

    assert report["duplicate_channel_skus"][0]["kind"] == "channel_sku_is_other_master_sku"
    assert report["duplicate_channel_skus"][0]["skus"] == ["A-1", "B-1"]


def test_audit_unlinked_skips_sync_off():
    report = run_audit(
        masters=[_master("A-1"), _master("B-1")],
        channel_products=[_channel("mirakl-1", "m1", "A-1", "A-1")],
        options=[OptionRow(sku="B-1", integration_id="mirakl-1", sync_to_channel=False, channel_sku=None)],
        sales_integrations=["mirakl-1"],
    )

    unlinked = {item["sku"]: item for item in report["unlinked_masters"]}
    assert sorted(unlinked) == ["B-1"]
    assert unlinked["B-1"]["missing_integrations"] == []
    assert unlinked["B-1"]["linked_integrations"] == []
