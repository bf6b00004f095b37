-- Products push (products=push): master products to send with P41, and the imports to track with P42.

CREATE TABLE product_pushes (
    integration_id text NOT NULL,
    master_sku text NOT NULL,
    account_id text NOT NULL,
    channel_sku text NOT NULL,
    title text NOT NULL,
    gtin text,
    category text,
    brand text,
    content_hash text NOT NULL,
    dirty boolean NOT NULL DEFAULT true,
    status text NOT NULL DEFAULT 'pending',
    import_id text,
    message text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (integration_id, master_sku)
);

CREATE TABLE product_imports (
    integration_id text NOT NULL,
    import_id text NOT NULL,
    status text NOT NULL,
    lines jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    PRIMARY KEY (integration_id, import_id)
);
