"""PostgreSQL access: connection pools confined to a service's schema, and migrations."""

from crossdock_common.db.migrations import apply_migrations
from crossdock_common.db.pool import NaiveDatetimeError, create_pool

__all__ = ["NaiveDatetimeError", "apply_migrations", "create_pool"]
