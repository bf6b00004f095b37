-- Mirakl connector state: integrations, projections of catalog data, orders,
-- commands, inventory pushes, fulfillments, cursors and per-job status.

CREATE TABLE integrations (
    integration_id text PRIMARY KEY,
    account_id text NOT NULL,
    name text NOT NULL,
    url text NOT NULL,
    api_key_encrypted text NOT NULL,
    shop_id bigint,
    shop_name text,
    currency text,
    shop_state text,
    status text NOT NULL DEFAULT 'disconnected',
    last_error text,
    settings jsonb NOT NULL,
    platform jsonb NOT NULL DEFAULT '{}'::jsonb,
    warnings jsonb NOT NULL DEFAULT '[]'::jsonb,
    connected_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX integrations_account ON integrations (account_id);

-- Projection of catalog.settings_changed.
CREATE TABLE catalog_sources (
    account_id text PRIMARY KEY,
    catalog_source text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Projection of product.upserted: master SKU <-> Mirakl offer SKU per integration.
CREATE TABLE sku_mappings (
    integration_id text NOT NULL,
    master_sku text NOT NULL,
    channel_sku text NOT NULL,
    sync_to_channel boolean NOT NULL DEFAULT true,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (integration_id, master_sku)
);
CREATE INDEX sku_mappings_channel ON sku_mappings (integration_id, channel_sku);

-- Carrier table used by OR23, seeded from SH21 at connect and editable through the API.
CREATE TABLE carriers (
    integration_id text NOT NULL,
    carrier_key text NOT NULL,
    carrier_code text,
    carrier_name text NOT NULL,
    tracking_url text,
    PRIMARY KEY (integration_id, carrier_key)
);

CREATE TABLE orders (
    integration_id text NOT NULL,
    order_id text NOT NULL,
    account_id text NOT NULL,
    state text NOT NULL,
    last_updated_date timestamptz NOT NULL,
    content_hash text NOT NULL,
    canonical jsonb NOT NULL,
    raw jsonb NOT NULL,
    acceptance_status text,
    acceptance_reason text,
    acceptance_deadline timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (integration_id, order_id)
);
CREATE INDEX orders_open ON orders (integration_id) WHERE state NOT IN ('CLOSED', 'REFUSED', 'CANCELED');

-- Accept, refuse and cancel requests (from commands, the API or auto-accept), done by the command job.
CREATE TABLE order_commands (
    command_id text PRIMARY KEY,
    command_type text NOT NULL,
    integration_id text NOT NULL,
    account_id text NOT NULL,
    order_id text NOT NULL,
    line_ids jsonb,
    reason_code text,
    requested_by text NOT NULL,
    status text NOT NULL DEFAULT 'pending',
    attempts integer NOT NULL DEFAULT 0,
    last_error text,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_commands_due ON order_commands (integration_id, next_attempt_at) WHERE status IN ('pending', 'rechecking');

-- Latest availability per offer SKU and warehouse code ('' is the offer's global quantity).
CREATE TABLE inventory_lines (
    integration_id text NOT NULL,
    channel_sku text NOT NULL,
    warehouse_code text NOT NULL,
    master_sku text NOT NULL,
    quantity integer NOT NULL,
    dirty boolean NOT NULL DEFAULT true,
    pushed_quantity integer,
    import_id text,
    last_error text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (integration_id, channel_sku, warehouse_code)
);

CREATE TABLE stock_imports (
    import_id text NOT NULL,
    integration_id text NOT NULL,
    status text NOT NULL,
    lines jsonb NOT NULL,
    lines_in_success integer,
    lines_in_error integer,
    created_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    PRIMARY KEY (integration_id, import_id)
);

CREATE TABLE fulfillments (
    fulfillment_id text PRIMARY KEY,
    integration_id text NOT NULL,
    account_id text NOT NULL,
    order_id text NOT NULL,
    payload jsonb NOT NULL,
    status text NOT NULL DEFAULT 'pending',
    attempts integer NOT NULL DEFAULT 0,
    last_error text,
    tracking_sent boolean NOT NULL DEFAULT false,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX fulfillments_due ON fulfillments (integration_id, next_attempt_at) WHERE status IN ('pending', 'waiting');

CREATE TABLE discovered_locations (
    integration_id text NOT NULL,
    external_code text NOT NULL,
    evidence jsonb NOT NULL DEFAULT '[]'::jsonb,
    published_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (integration_id, external_code)
);

CREATE TABLE cursors (
    integration_id text NOT NULL,
    job text NOT NULL,
    cursor jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (integration_id, job)
);

CREATE TABLE job_status (
    integration_id text NOT NULL,
    job text NOT NULL,
    last_run_at timestamptz,
    last_success_at timestamptz,
    counts jsonb NOT NULL DEFAULT '{}'::jsonb,
    details jsonb NOT NULL DEFAULT '{}'::jsonb,
    PRIMARY KEY (integration_id, job)
);

CREATE TABLE integration_errors (
    id bigserial PRIMARY KEY,
    integration_id text NOT NULL,
    job text NOT NULL,
    message text NOT NULL,
    response text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX integration_errors_recent ON integration_errors (integration_id, created_at DESC);

-- What the products pull last published per offer SKU, to publish only changes.
CREATE TABLE channel_products (
    integration_id text NOT NULL,
    channel_sku text NOT NULL,
    content_hash text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (integration_id, channel_sku)
);
