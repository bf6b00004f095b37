"""`crossdock-migrate MODULE:APP`: apply a service's migrations and exit.

Kubernetes runs this as an init container before each pod of a rollout, so the
schema is ready before the app starts. Several pods starting together are
safe: migrations run under an advisory lock keyed by the schema, and each file
is applied once. The app itself applies migrations at startup too, which
makes this step optional outside Kubernetes.
"""

import argparse
import asyncio
import importlib
import sys

from crossdock_common.db import apply_migrations, create_pool


async def migrate(app_path: str) -> list[str]:
    module_name, _, attribute = app_path.partition(":")
    app = getattr(importlib.import_module(module_name), attribute or "app")
    definition = app.state.definition
    if definition is None:
        raise SystemExit(f"{app_path} has no service definition, so it has no migrations")
    settings = definition.settings_class()
    pool = await create_pool(settings.database_url, schema=definition.schema, max_size=1)
    try:
        return await apply_migrations(pool, schema=definition.schema, directory=definition.migrations)
    finally:
        await pool.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="crossdock-migrate", description="Apply a crossdock service's migrations.")
    parser.add_argument("app", help="the service app, e.g. crossdock_catalog.main:app")
    args = parser.parse_args(argv)
    applied = asyncio.run(migrate(args.app))
    print(f"applied {len(applied)} migration(s)" + (f": {', '.join(applied)}" if applied else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
