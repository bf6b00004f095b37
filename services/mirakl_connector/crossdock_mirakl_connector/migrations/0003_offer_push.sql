-- Offers push (products=push): one OF24 offer per pushed master product, and the OF24 imports to track with OF02.

CREATE TABLE offer_pushes (
    integration_id text NOT NULL,
    master_sku text NOT NULL,
    account_id text NOT NULL,
    channel_sku text NOT NULL,
    -- 'offer' to create or update the offer, 'delete' to remove it from the shop.
    action text NOT NULL,
    product_id text,
    product_id_type text,
    price numeric,
    currency text,
    description text,
    content_hash text NOT NULL,
    dirty boolean NOT NULL DEFAULT true,
    -- Whether an OF24 import of this connector created the offer and no later import deleted it.
    on_mirakl boolean NOT NULL DEFAULT false,
    status text NOT NULL DEFAULT 'pending',
    import_id text,
    sent_quantity integer,
    message text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (integration_id, master_sku)
);

CREATE TABLE offer_imports (
    integration_id text NOT NULL,
    import_id text NOT NULL,
    status text NOT NULL,
    -- OF24 line number (the first offer is line 1) -> [master SKU, offer SKU, action, quantity sent].
    lines jsonb NOT NULL,
    lines_in_success integer,
    lines_in_error integer,
    created_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    PRIMARY KEY (integration_id, import_id)
);
