-- Projections of other services' data, built from their events.

CREATE TABLE channel_integrations (
    account_id text NOT NULL,
    integration_id text NOT NULL,
    type text NOT NULL,
    name text NOT NULL DEFAULT '',
    status text NOT NULL,
    settings jsonb NOT NULL DEFAULT '{}',
    deleted boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, integration_id)
);

CREATE TABLE products (
    account_id text NOT NULL,
    sku text NOT NULL,
    status text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, sku)
);

-- Channel SKU of a master SKU on one integration, from channel options and channel links.
CREATE TABLE sku_mappings (
    account_id text NOT NULL,
    integration_id text NOT NULL,
    channel_sku text NOT NULL,
    master_sku text NOT NULL,
    PRIMARY KEY (account_id, integration_id, channel_sku, master_sku)
);
CREATE INDEX sku_mappings_master ON sku_mappings (account_id, master_sku);

CREATE TABLE locations (
    account_id text NOT NULL,
    location_id text NOT NULL,
    name text NOT NULL DEFAULT '',
    status text NOT NULL,
    fulfillment_integration_id text,
    source_integration_id text,
    external_code text,
    priority integer NOT NULL DEFAULT 100,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, location_id)
);

CREATE TABLE stock_levels (
    account_id text NOT NULL,
    sku text NOT NULL,
    location_id text NOT NULL,
    available integer NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, sku, location_id)
);

-- HTTP-3PL integrations, owned by this service. The id is global because the
-- 3PL's shipment post names only the integration.
CREATE TABLE threepl_integrations (
    integration_id text PRIMARY KEY,
    account_id text NOT NULL,
    name text NOT NULL,
    url text NOT NULL,
    secret_encrypted text NOT NULL,
    status text NOT NULL DEFAULT 'disconnected',
    last_error text,
    last_tested_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX threepl_integrations_account ON threepl_integrations (account_id);

CREATE TABLE routing_rules (
    account_id text NOT NULL,
    rule_id text NOT NULL,
    name text NOT NULL,
    position integer NOT NULL,
    enabled boolean NOT NULL DEFAULT true,
    integration_ids text[] NOT NULL DEFAULT '{}',
    sku_prefixes text[] NOT NULL DEFAULT '{}',
    countries text[] NOT NULL DEFAULT '{}',
    location_ids text[] NOT NULL,
    check_inventory boolean NOT NULL DEFAULT false,
    allow_split boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, rule_id)
);

-- Canonical orders. One row per integration and external order id: the unique
-- key makes two deliveries of the same order one row.
CREATE TABLE orders (
    order_id text PRIMARY KEY,
    account_id text NOT NULL,
    integration_id text NOT NULL,
    channel text NOT NULL,
    external_id text NOT NULL,
    channel_status text NOT NULL,
    channel_order_status text NOT NULL,
    channel_status_reason text,
    status text NOT NULL,
    status_reason text,
    status_detail text,
    fulfillment_type text NOT NULL,
    shipping_type text,
    shipping_document_ref text,
    currency text NOT NULL,
    total numeric,
    ship_to jsonb,
    channel_warehouse_id text,
    acceptance_deadline timestamptz,
    channel_created_at timestamptz NOT NULL,
    channel_updated_at timestamptz NOT NULL,
    routable_after timestamptz,
    had_unresolved_line boolean NOT NULL DEFAULT false,
    auto_accept_command_id text,
    needs_attention boolean NOT NULL DEFAULT false,
    attention_reason text,
    payload jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, integration_id, external_id)
);
CREATE INDEX orders_account_status ON orders (account_id, status);

CREATE TABLE order_lines (
    order_id text NOT NULL REFERENCES orders (order_id),
    line_id text NOT NULL,
    position integer NOT NULL,
    channel_sku text NOT NULL,
    master_sku text,
    quantity integer NOT NULL,
    cancelled_quantity integer NOT NULL DEFAULT 0,
    shipped_quantity integer NOT NULL DEFAULT 0,
    channel_warehouse_id text,
    payload jsonb NOT NULL,
    PRIMARY KEY (order_id, line_id)
);

-- Audit trail of an order: every event applied, status change and command sent.
CREATE TABLE order_history (
    id bigserial PRIMARY KEY,
    order_id text NOT NULL REFERENCES orders (order_id),
    occurred_at timestamptz NOT NULL DEFAULT now(),
    kind text NOT NULL,
    status text,
    previous_status text,
    reason text,
    detail text,
    event_id uuid,
    event_type text
);
CREATE INDEX order_history_order ON order_history (order_id, id);

-- Every routing evaluation of a routable order: the rule and each candidate.
CREATE TABLE routing_decisions (
    id bigserial PRIMARY KEY,
    order_id text NOT NULL REFERENCES orders (order_id),
    decided_at timestamptz NOT NULL DEFAULT now(),
    rule_id text,
    rule_name text NOT NULL,
    outcome text NOT NULL,
    stall_reason text,
    detail text,
    candidates jsonb NOT NULL,
    allocations jsonb NOT NULL
);
CREATE INDEX routing_decisions_order ON routing_decisions (order_id, id);

CREATE TABLE shipping_requests (
    request_id text PRIMARY KEY,
    order_id text NOT NULL REFERENCES orders (order_id),
    account_id text NOT NULL,
    location_id text NOT NULL,
    fulfillment_integration_id text NOT NULL,
    body bytea,
    status text NOT NULL DEFAULT 'pending',
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error text,
    acknowledged_at timestamptz,
    cancel_status text,
    cancel_attempts integer NOT NULL DEFAULT 0,
    cancel_next_attempt_at timestamptz,
    cancel_last_error text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX shipping_requests_order ON shipping_requests (order_id);
CREATE INDEX shipping_requests_due ON shipping_requests (next_attempt_at) WHERE status = 'pending';

CREATE TABLE shipping_request_lines (
    request_id text NOT NULL REFERENCES shipping_requests (request_id),
    line_id text NOT NULL,
    sku text NOT NULL,
    quantity integer NOT NULL,
    shipped_quantity integer NOT NULL DEFAULT 0,
    PRIMARY KEY (request_id, line_id)
);

-- Shipments posted by 3PLs. The key makes a repeated post of one package a no-op.
CREATE TABLE shipments (
    integration_id text NOT NULL,
    shipment_id text NOT NULL,
    fulfillment_id text NOT NULL UNIQUE,
    request_id text NOT NULL REFERENCES shipping_requests (request_id),
    order_id text NOT NULL REFERENCES orders (order_id),
    lines jsonb NOT NULL,
    carrier text NOT NULL,
    tracking_number text NOT NULL,
    tracking_url text,
    shipped_at timestamptz NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (integration_id, shipment_id)
);

CREATE TABLE order_commands (
    command_id text PRIMARY KEY,
    order_id text NOT NULL REFERENCES orders (order_id),
    command_type text NOT NULL,
    requested_by text NOT NULL,
    status text NOT NULL DEFAULT 'sent',
    message text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
