"""FastAPI app factory, service runtime and runner shared by every crossdock service."""

from crossdock_common.service.app import create_app
from crossdock_common.service.problems import ProblemError, not_found
from crossdock_common.service.runner import run_service
from crossdock_common.service.runtime import ConsumerSpec, ServiceDefinition, ServiceRuntime

__all__ = [
    "ConsumerSpec",
    "ProblemError",
    "ServiceDefinition",
    "ServiceRuntime",
    "create_app",
    "not_found",
    "run_service",
]
