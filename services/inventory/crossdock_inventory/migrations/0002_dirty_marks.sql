-- SKUs whose availability must be recomputed, as an append-only queue. Writers
-- only insert, so two transactions never wait on each other's marks. The keyed
-- dirty_skus table made every writer update a shared row per SKU, and writers
-- that marked several SKUs in different orders deadlocked.
CREATE TABLE dirty_marks (
    id bigserial PRIMARY KEY,
    account_id text NOT NULL,
    sku text NOT NULL,
    marked_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO dirty_marks (account_id, sku, marked_at) SELECT account_id, sku, marked_at FROM dirty_skus ORDER BY marked_at;
DROP TABLE dirty_skus;
