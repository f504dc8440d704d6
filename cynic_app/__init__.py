"""cynic_app: a judgment service that never answers 200 before the judgment is durable."""

from __future__ import annotations

import logging
import os

from flask import Flask

from .config import Config
from .durability.fsio import FS, OS_FS
from .durability.home import acquire_node_lock, prepare_home
from .runtime import Runtime
from .startup import RECOVERED_BY_ENV, recover, require_database_url

log = logging.getLogger(__name__)


def create_app(config: Config | None = None, *, fs: FS = OS_FS) -> Flask:
    """Build the WSGI app. Recovers the node first unless a gunicorn master already did.

    ``fs`` is the file-system seam of the durability layer (tests inject faults through it).
    """
    config = config or Config.from_env()
    require_database_url(config)
    prepare_home(config.home)
    master = os.environ.get(RECOVERED_BY_ENV)
    if master and master == str(os.getppid()):
        runtime = Runtime(config, recovered_by=f"gunicorn master {master}", fs=fs)
    else:
        node_lock = acquire_node_lock(config.home)
        try:
            recover(config)
        except BaseException:
            node_lock.release()
            raise
        runtime = Runtime(config, recovered_by=f"process {os.getpid()}", node_lock=node_lock, fs=fs)

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    app.json.sort_keys = False
    app.extensions["cynic"] = runtime
    from . import api

    api.register(app)
    return app
