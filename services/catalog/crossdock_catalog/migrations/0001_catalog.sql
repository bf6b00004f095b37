-- Catalog schema: account settings, the integration projection, master products,
-- channel options and channel products with their link state.
-- `*_key` columns hold the comparison key of a SKU (Unicode NFC, surrounding
-- whitespace removed, case-folded). They are computed by the service and used only to
-- find near-misses for the audit; matching itself always compares SKUs exactly.

CREATE TABLE catalog_settings (
    account_id text PRIMARY KEY,
    catalog_source text NOT NULL CHECK (catalog_source IN ('mirakl', 'tiktok', 'both', 'other')),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE integrations (
    account_id text NOT NULL,
    integration_id text NOT NULL,
    type text NOT NULL,
    name text NOT NULL DEFAULT '',
    status text NOT NULL,
    supports_channel_sku boolean NOT NULL DEFAULT false,
    settings jsonb NOT NULL DEFAULT '{}'::jsonb,
    deleted boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, integration_id)
);

CREATE TABLE products (
    account_id text NOT NULL,
    sku text NOT NULL,
    sku_key text NOT NULL,
    product_type text NOT NULL CHECK (product_type IN ('simple', 'parent', 'variant')),
    parent_sku text,
    title text NOT NULL DEFAULT '',
    description text,
    gtin text,
    price numeric,
    currency text,
    images jsonb NOT NULL DEFAULT '[]'::jsonb,
    attributes jsonb NOT NULL DEFAULT '{}'::jsonb,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
    owner_integration_id text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, sku),
    CHECK ((product_type = 'variant') = (parent_sku IS NOT NULL)),
    CHECK (price IS NULL OR currency IS NOT NULL)
);
CREATE INDEX products_sku_key ON products (account_id, sku_key);
CREATE INDEX products_parent ON products (account_id, parent_sku) WHERE parent_sku IS NOT NULL;

CREATE TABLE channel_options (
    account_id text NOT NULL,
    sku text NOT NULL,
    integration_id text NOT NULL,
    sync_to_channel boolean NOT NULL DEFAULT true,
    inventory_buffer integer NOT NULL DEFAULT 0 CHECK (inventory_buffer >= 0),
    channel_sku text CHECK (channel_sku IS NULL OR channel_sku <> ''),
    channel_sku_key text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, sku, integration_id),
    FOREIGN KEY (account_id, sku) REFERENCES products (account_id, sku) ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX channel_options_channel_sku
    ON channel_options (account_id, integration_id, channel_sku) WHERE channel_sku IS NOT NULL;
CREATE INDEX channel_options_channel_sku_key
    ON channel_options (account_id, integration_id, channel_sku_key) WHERE channel_sku IS NOT NULL;

CREATE TABLE channel_products (
    account_id text NOT NULL,
    integration_id text NOT NULL,
    channel_product_id text NOT NULL,
    channel text NOT NULL,
    channel_sku text NOT NULL,
    channel_sku_key text NOT NULL,
    product_type text NOT NULL,
    parent_channel_product_id text,
    title text NOT NULL DEFAULT '',
    description text,
    gtin text,
    price numeric,
    currency text,
    images jsonb NOT NULL DEFAULT '[]'::jsonb,
    attributes jsonb NOT NULL DEFAULT '{}'::jsonb,
    channel_status text NOT NULL DEFAULT '',
    problems jsonb NOT NULL DEFAULT '[]'::jsonb,
    channel_updated_at timestamptz,
    master_sku text,
    unmatched_reason text,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, integration_id, channel_product_id),
    CHECK ((master_sku IS NULL) = (unmatched_reason IS NOT NULL))
);
CREATE INDEX channel_products_sku ON channel_products (account_id, integration_id, channel_sku);
CREATE INDEX channel_products_sku_key ON channel_products (account_id, channel_sku_key);
CREATE INDEX channel_products_master ON channel_products (account_id, master_sku) WHERE master_sku IS NOT NULL;
CREATE INDEX channel_products_parent
    ON channel_products (account_id, integration_id, parent_channel_product_id)
    WHERE parent_channel_product_id IS NOT NULL;
