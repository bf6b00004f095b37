"""Seeding: the same seed value yields the same data; another seed value yields other ids."""

from crossdock_sandbox.tiktok.seed import build_store


def _fingerprint(store):
    return (
        sorted((s.id, s.region, s.cipher) for s in store.shops.values()),
        sorted(w.id for w in store.warehouses.values()),
        sorted(
            (p.id, p.title, tuple((k.id, k.seller_sku, tuple(sorted(k.inventory.items()))) for k in p.skus))
            for p in store.products.values()
        ),
        sorted((o.id, o.status, o.fulfillment_type, o.shipping_type, len(o.line_items)) for o in store.orders.values()),
    )


def test_seed_same_value_reproducible():
    first = build_store(seed=7, redirect_url="http://127.0.0.1:9/cb", now=1_700_000_000)
    second = build_store(seed=7, redirect_url="http://127.0.0.1:9/cb", now=1_700_000_000)

    assert _fingerprint(first) == _fingerprint(second)


def test_seed_other_value_changes_ids():
    first = build_store(seed=7, redirect_url="http://127.0.0.1:9/cb", now=1_700_000_000)
    other = build_store(seed=8, redirect_url="http://127.0.0.1:9/cb", now=1_700_000_000)

    assert _fingerprint(first)[0] != _fingerprint(other)[0]


def test_seed_has_shared_and_conflicting_skus():
    store = build_store(seed=1, redirect_url="http://127.0.0.1:9/cb", now=1_700_000_000)
    owners: dict[str, set[tuple[str, str]]] = {}
    for product in store.products.values():
        for sku in product.skus:
            owners.setdefault(sku.seller_sku, set()).add((product.shop_id, product.title))

    shared = owners["CD-SHARED-001"]
    conflict = owners["CD-CONFLICT-001"]
    assert len({shop for shop, _ in shared}) == 2
    assert len({title for _, title in shared}) == 1
    assert len({shop for shop, _ in conflict}) == 1
    assert len({title for _, title in conflict}) == 2
    assert {"ABC-123 ", "abc-123"} <= set(owners)


async def test_admin_reset_reseeds(http):
    first = (await http.post("/_sandbox/reset", json={"seed": 5})).json()
    again = (await http.post("/_sandbox/reset", json={"seed": 5})).json()

    assert first["seed"] == 5
    assert [s["cipher"] for s in first["shops"]] == [s["cipher"] for s in again["shops"]]


async def test_admin_state_lists_default_app(http):
    state = (await http.get("/_sandbox/state")).json()

    assert {"app_key": "crossdock-sandbox", "app_secret": "crossdock-sandbox-secret"}.items() <= state["apps"][
        0
    ].items()
    assert {s["region"] for s in state["shops"]} == {"US", "GB", "MY"}
