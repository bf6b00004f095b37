"""Start a service app under uvicorn on its configured host and port."""

import os

import uvicorn


def run_service(app_path: str, *, port_env: str, default_port: int) -> None:
    """Serve `app_path` on `CROSSDOCK_HOST` (default 127.0.0.1) and the port in `port_env`."""
    host = os.environ.get("CROSSDOCK_HOST", "127.0.0.1")
    port = int(os.environ.get(port_env, str(default_port)))
    uvicorn.run(app_path, host=host, port=port, log_config=None)
