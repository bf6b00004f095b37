"""Master catalog: products, exact SKU matching, channel options, catalog source and SKU audit."""
