"""FastAPI app factory and runner shared by every crossdock service."""

from crossdock_common.service.app import create_app
from crossdock_common.service.runner import run_service

__all__ = ["create_app", "run_service"]
