"""Settings of the catalog service (the shared options of every service; catalog adds none yet)."""

from crossdock_common.settings import ServiceSettings


class CatalogSettings(ServiceSettings):
    """Options of the catalog service, read from the environment."""
