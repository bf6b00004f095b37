-- The last product.upserted payload per master, so switching products to push can queue masters
-- that existed before the switch (catalog does not republish them).
ALTER TABLE sku_mappings ADD COLUMN product jsonb;
