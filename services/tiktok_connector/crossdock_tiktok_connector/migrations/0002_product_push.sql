-- Product push: one row per TikTok product (a simple master, or a parent with its variants), one per pushed SKU.
-- A product is due while revision > pushed_revision; each catalog change bumps the revision, so changes coalesce.

CREATE TABLE pushed_products (
    integration_id text NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    group_sku text NOT NULL,
    account_id text NOT NULL,
    product_id text,
    revision integer NOT NULL DEFAULT 1,
    pushed_revision integer NOT NULL DEFAULT 0,
    status text NOT NULL DEFAULT 'pending',
    message text,
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    pushed_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (integration_id, group_sku)
);
CREATE INDEX pushed_products_due ON pushed_products (integration_id) WHERE revision > pushed_revision;

ALTER TABLE product_pushes
    ADD COLUMN account_id text,
    ADD COLUMN group_sku text,
    ADD COLUMN sku_id text;

CREATE INDEX master_skus_parent ON master_skus (account_id, (product->>'parent_sku'));
