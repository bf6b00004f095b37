"""Dependencies shared by the routers."""

from typing import Annotated

from crossdock_common.service import ProblemError, ServiceRuntime
from fastapi import Depends, Request


def get_runtime(request: Request) -> ServiceRuntime:
    runtime = request.app.state.runtime
    if runtime is None or runtime.pool is None:
        raise ProblemError(status=503, title="Service not ready", detail="order routing is starting or stopping; retry")
    return runtime


Runtime = Annotated[ServiceRuntime, Depends(get_runtime)]
