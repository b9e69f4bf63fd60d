"""The server process: uvicorn, with the options the command line gave, in one or more worker
processes. uvicorn stops on SIGTERM or SIGINT gracefully: it stops accepting connections and
lets the checks in progress finish (up to ``GRACE_SECONDS``)."""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from starlette.applications import Starlette

from mtqa.config import Config, load_config

ENV = "MTQA_SERVE_OPTIONS"  # how the options reach uvicorn's worker processes
GRACE_SECONDS = 10
MAX_CONNECTIONS = 512  # beyond it uvicorn answers 503 at once


@dataclass
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8081
    workers: int = 1
    config: str | None = None
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    house_style: bool = False
    model: bool = True
    glossary: list[str] = field(default_factory=list)
    max_request_bytes: int = 1_000_000
    check_seconds: float = 30.0
    body_seconds: float = 10.0
    allow_origins: list[str] = field(default_factory=list)

    def checker_config(self) -> Config:
        cfg = load_config(explicit=Path(self.config) if self.config else None)
        cfg.select = (*cfg.select, *self.select)
        cfg.ignore = (*cfg.ignore, *self.ignore)
        cfg.house_style = cfg.house_style or self.house_style
        cfg.model = cfg.model and self.model
        if self.glossary:
            cfg.glossary = tuple(Path(p) for p in self.glossary)
        cfg.baseline = None  # a baseline names files; the server checks texts
        return cfg


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def app_from_env() -> Starlette:
    """uvicorn's factory, called in each worker process."""
    from mtqa.server.app import Limits, build
    from mtqa.server.service import Service

    options = ServeOptions(**json.loads(os.environ[ENV]))
    _log_to_stderr()
    limits = Limits(options.max_request_bytes, options.body_seconds, tuple(options.allow_origins))
    return build(Service(options.checker_config(), timeout=options.check_seconds), limits)


def _log_to_stderr() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    for name in ("mtqa.access", "mtqa.server"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(logging.INFO)
        logger.propagate = False


def serve(options: ServeOptions) -> None:
    import uvicorn

    os.environ[ENV] = json.dumps(asdict(options))
    uvicorn.run(
        "mtqa.server.run:app_from_env",
        factory=True,
        host=options.host,
        port=options.port,
        workers=options.workers,
        log_level="warning",
        access_log=False,  # ours is structured (mtqa.server.app.Guard)
        server_header=False,
        limit_concurrency=MAX_CONNECTIONS,
        timeout_graceful_shutdown=GRACE_SECONDS,
    )
