"""create_app: the Flask app of one node, built after its recovery (``cynic_app.create_app``)."""

from __future__ import annotations

import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import api
from .api import context
from .api.json_provider import OrjsonProvider
from .api.receive import ReceiveBodies
from .config import Config
from .durability.fsio import FS, OS_FS
from .node.open import open_node
from .node.runtime import Runtime


def create_app(config: Config | None = None, *, fs: FS | None = None) -> Flask:
    """Build the WSGI app from config (the environment's when None): it reads nothing else.
    Opens the node first unless the gunicorn master that forked this process already did.

    ``fs`` is the file-system seam of the durability layer (tests inject faults through it).
    """
    config = config or Config.from_env()  # every setting is checked before the node is touched
    fs = fs or OS_FS
    threads = config.server.threads
    master = config.opened_by
    if master is not None and master == os.getppid():  # our master opened the node before forking
        runtime = Runtime(config, recovered_by=f"gunicorn master {master}", fs=fs)
    else:
        node_lock, _settled = open_node(config, fs=fs)
        try:
            runtime = Runtime(config, recovered_by=f"process {os.getpid()}", node_lock=node_lock, fs=fs)
        except BaseException:
            node_lock.release()
            raise
    try:
        return _app(config, runtime, slow_slots=threads - 1)  # one thread per worker stays free
    except BaseException:
        runtime.close()  # its pool and journal, and the node lock if it holds it
        raise


class App(Flask):
    """Flask, asking once per function whether it is a coroutine function.

    Flask calls ``ensure_sync`` for every hook and view of every request (six for POST /judge),
    and its ``inspect.iscoroutinefunction`` took about 2 µs a call on the bench's machine: 4 % of
    a dry run's CPU outside the judge. ``ensure_sync`` is the method Flask documents for
    changing how views run; the answer for a function never changes, so it is kept, for the
    functions the app registered (bounded: a function made per call is asked each time).
    """

    _SYNC_CACHE_LIMIT = 256

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._sync: dict = {}

    def ensure_sync(self, func):
        try:
            return self._sync[func]
        except KeyError:
            sync = super().ensure_sync(func)
            if len(self._sync) < self._SYNC_CACHE_LIMIT:
                self._sync[func] = sync
            return sync
        except TypeError:  # an unhashable callable
            return super().ensure_sync(func)


def _app(config: Config, runtime: Runtime, *, slow_slots: int) -> Flask:
    app = App(__name__)
    app.json = OrjsonProvider(app)
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    context.attach(app, runtime)
    api.register(app)
    app.wsgi_app = ReceiveBodies(
        app.wsgi_app,
        max_body_bytes=config.max_body_bytes,
        timeout_s=config.body_timeout_s,
        slow_slots=slow_slots,
    )
    if config.trusted_proxies:
        # Only the last N hops of X-Forwarded-For/-Proto are believed: those our proxies added.
        n = config.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)
    return app
