"""The metrics port: a second, tiny uvicorn server in the same process and event loop, serving
only `/metrics`, so that the public port never exposes it."""

import contextlib
from collections.abc import Generator

import uvicorn

from salon.config import Settings
from salon.metrics.exposition import Exposition
from salon.metrics.http import MetricsEndpoint


class _Sidecar(uvicorn.Server):
    """The main server owns the signals; this one stops when told to (`should_exit`)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def metrics_sidecar(exposition: Exposition, settings: Settings) -> uvicorn.Server:
    config = uvicorn.Config(
        MetricsEndpoint(None, exposition, settings.metrics_token),
        host=settings.metrics_host,
        port=settings.metrics_port,
        lifespan="off",
        access_log=False,
        server_header=False,
        log_config=None,
    )
    return _Sidecar(config)
