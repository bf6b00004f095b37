"""Pure inventory rules: no database, no Kafka."""
