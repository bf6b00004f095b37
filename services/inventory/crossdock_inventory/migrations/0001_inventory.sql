-- Projection of integrations (owned by the connectors and order routing), kept from integration events.
CREATE TABLE integrations (
    account_id text NOT NULL,
    integration_id text NOT NULL,
    type text NOT NULL,
    name text NOT NULL DEFAULT '',
    status text NOT NULL,
    settings jsonb NOT NULL DEFAULT '{}'::jsonb,
    deleted boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, integration_id)
);

-- Projection of master products (owned by catalog): status and channel options per integration.
CREATE TABLE products (
    account_id text NOT NULL,
    sku text NOT NULL,
    status text NOT NULL,
    channel_options jsonb NOT NULL DEFAULT '[]'::jsonb,
    source_updated_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, sku)
);

-- Hub locations: warehouses and 3PL sites. A discovered channel warehouse is unique per (integration, code).
CREATE TABLE locations (
    location_id text PRIMARY KEY,
    account_id text NOT NULL,
    name text NOT NULL,
    address jsonb,
    source_integration_id text,
    external_code text,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
    fulfillment_integration_id text,
    exclude_from_totals boolean NOT NULL DEFAULT false,
    excluded_integration_ids text[] NOT NULL DEFAULT '{}',
    priority integer NOT NULL DEFAULT 100,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX locations_account ON locations (account_id);
CREATE UNIQUE INDEX locations_discovered ON locations (account_id, source_integration_id, external_code)
    WHERE source_integration_id IS NOT NULL AND external_code IS NOT NULL;

-- Stock of one SKU at one location. `committed` is the sum of open allocated commitments there.
CREATE TABLE stock_levels (
    account_id text NOT NULL,
    sku text NOT NULL,
    location_id text NOT NULL REFERENCES locations (location_id),
    on_hand integer NOT NULL DEFAULT 0,
    committed integer NOT NULL DEFAULT 0 CHECK (committed >= 0),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, sku, location_id)
);

-- Orders seen by inventory, so late events for a cancelled order commit nothing.
CREATE TABLE orders (
    account_id text NOT NULL,
    integration_id text NOT NULL,
    external_id text NOT NULL,
    status text NOT NULL,
    terminal boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, integration_id, external_id)
);

-- Seller-fulfilled order lines with a master SKU: what is still to ship and so stays committed.
CREATE TABLE order_lines (
    account_id text NOT NULL,
    integration_id text NOT NULL,
    external_order_id text NOT NULL,
    line_id text NOT NULL,
    sku text NOT NULL,
    ordered integer NOT NULL CHECK (ordered >= 0),
    shipped integer NOT NULL DEFAULT 0 CHECK (shipped >= 0),
    channel_warehouse_id text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, integration_id, external_order_id, line_id)
);

-- Stock committed to order lines. allocation_ref '' is the unallocated commitment against the SKU;
-- any other value is the shipping request that moved quantity to `location_id`.
CREATE TABLE commitments (
    account_id text NOT NULL,
    integration_id text NOT NULL,
    external_order_id text NOT NULL,
    line_id text NOT NULL,
    allocation_ref text NOT NULL DEFAULT '',
    sku text NOT NULL,
    location_id text REFERENCES locations (location_id),
    quantity integer NOT NULL CHECK (quantity >= 0),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, integration_id, external_order_id, line_id, allocation_ref),
    CHECK ((allocation_ref = '') = (location_id IS NULL))
);
CREATE INDEX commitments_unallocated ON commitments (account_id, sku) WHERE allocation_ref = '' AND quantity > 0;

-- Fulfillments already turned into on-hand decrements; the key makes a replay a no-op.
CREATE TABLE applied_fulfillments (
    account_id text NOT NULL,
    fulfillment_id text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, fulfillment_id)
);

-- Stock set and adjust requests by idempotency key, with the response returned on a replay.
CREATE TABLE stock_requests (
    account_id text NOT NULL,
    idempotency_key text NOT NULL,
    request_hash text NOT NULL,
    response jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, idempotency_key)
);

-- Every stock movement with its cause; location_id is NULL for unallocated commitments.
CREATE TABLE movements (
    id bigserial PRIMARY KEY,
    account_id text NOT NULL,
    sku text NOT NULL,
    location_id text,
    on_hand_delta integer NOT NULL DEFAULT 0,
    committed_delta integer NOT NULL DEFAULT 0,
    on_hand_after integer,
    committed_after integer,
    cause text NOT NULL CHECK (cause IN ('order', 'fulfillment', 'adjustment', 'import')),
    reference text,
    detail text,
    occurred_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX movements_sku ON movements (account_id, sku, id);

-- SKUs whose availability must be recomputed; the publisher job drains it, so changes coalesce per SKU.
CREATE TABLE dirty_skus (
    account_id text NOT NULL,
    sku text NOT NULL,
    changes integer NOT NULL DEFAULT 1,
    marked_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, sku)
);

-- The last availability published per integration, SKU and channel warehouse ('' when the channel has none).
CREATE TABLE published_availability (
    account_id text NOT NULL,
    integration_id text NOT NULL,
    sku text NOT NULL,
    channel_warehouse_id text NOT NULL DEFAULT '',
    channel_sku text NOT NULL,
    quantity integer NOT NULL,
    published_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, integration_id, sku, channel_warehouse_id)
);
