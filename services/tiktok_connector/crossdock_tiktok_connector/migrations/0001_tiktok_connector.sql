-- TikTok Shop connector: integrations, tokens, orders seen, queued work.

CREATE TABLE integrations (
    id text PRIMARY KEY,
    account_id text NOT NULL,
    name text NOT NULL,
    status text NOT NULL DEFAULT 'disconnected',
    last_error text,
    settings jsonb NOT NULL DEFAULT '{}'::jsonb,
    shop jsonb,
    authorized_shops jsonb NOT NULL DEFAULT '[]'::jsonb,
    warehouses jsonb NOT NULL DEFAULT '[]'::jsonb,
    open_id text,
    access_token_enc text,
    access_token_expires_at timestamptz,
    refresh_token_enc text,
    refresh_token_expires_at timestamptz,
    webhook_subscriptions jsonb NOT NULL DEFAULT '[]'::jsonb,
    webhook_warning text,
    orders_cursor bigint,
    orders_window_end bigint,
    orders_page_token text,
    last_order_pull jsonb,
    last_product_pull jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX integrations_account ON integrations (account_id);

CREATE TABLE oauth_states (
    nonce text PRIMARY KEY,
    integration_id text NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    used_at timestamptz
);

CREATE TABLE orders (
    integration_id text NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    order_id text NOT NULL,
    channel_status text NOT NULL,
    update_time bigint NOT NULL,
    fulfillment_type text NOT NULL,
    shipping_type text,
    raw jsonb NOT NULL,
    published jsonb,
    shipping_document_ref text,
    label_status text,
    label_error text,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (integration_id, order_id)
);

CREATE TABLE webhook_notifications (
    notification_id text PRIMARY KEY,
    integration_id text,
    shop_id text,
    type integer NOT NULL,
    body jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    processed_at timestamptz,
    error text
);
CREATE INDEX webhook_notifications_open ON webhook_notifications (received_at) WHERE processed_at IS NULL;

CREATE TABLE master_skus (
    account_id text NOT NULL,
    sku text NOT NULL,
    product jsonb NOT NULL,
    PRIMARY KEY (account_id, sku)
);

CREATE TABLE catalog_settings (
    account_id text PRIMARY KEY,
    catalog_source text NOT NULL
);

CREATE TABLE sku_index (
    integration_id text NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    seller_sku text NOT NULL,
    product_id text NOT NULL,
    sku_id text NOT NULL,
    product_status text NOT NULL,
    warehouses jsonb NOT NULL DEFAULT '{}'::jsonb,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (integration_id, seller_sku)
);

-- Latest wanted quantity per SKU and TikTok warehouse; newer events overwrite older ones (coalescing).
CREATE TABLE inventory_updates (
    integration_id text NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    sku text NOT NULL,
    warehouse_id text NOT NULL,
    quantity integer NOT NULL,
    wanted_at timestamptz NOT NULL,
    pushed_quantity integer,
    pushed_at timestamptz,
    status text NOT NULL DEFAULT 'pending',
    message text,
    PRIMARY KEY (integration_id, sku, warehouse_id)
);

CREATE TABLE fulfillments (
    fulfillment_id text PRIMARY KEY,
    integration_id text NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    account_id text NOT NULL,
    order_id text NOT NULL,
    payload jsonb NOT NULL,
    status text NOT NULL DEFAULT 'pending',
    attempts integer NOT NULL DEFAULT 0,
    message text,
    package_ids jsonb NOT NULL DEFAULT '[]'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE commands (
    command_id text PRIMARY KEY,
    integration_id text NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    account_id text NOT NULL,
    command_type text NOT NULL,
    payload jsonb NOT NULL,
    status text NOT NULL DEFAULT 'pending',
    message text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE product_pushes (
    integration_id text NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    sku text NOT NULL,
    status text NOT NULL DEFAULT 'pending',
    product_id text,
    message text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (integration_id, sku)
);
