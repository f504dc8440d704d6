"""gunicorn's hooks, run in this process on an app as a worker loads it."""

from __future__ import annotations

import gc
import importlib
from types import SimpleNamespace


def test_a_worker_moves_what_it_loaded_out_of_the_collectors_reach(app, config, monkeypatch):
    """post_worker_init freezes the heap the worker has built (the app, its pools, the modules),
    so that full collections under load walk only what requests allocate."""
    monkeypatch.setenv("CYNIC_HOME", str(config.home))
    monkeypatch.setenv("CYNIC_DATABASE_URL", config.database_url)
    hooks = importlib.import_module("cynic_app.gunicorn_conf")
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        hooks.post_worker_init(SimpleNamespace(wsgi=app, pid=0, log=None, alive=True))
        assert gc.get_freeze_count() > 10_000  # the modules and the app, not a handful of objects
    finally:
        gc.unfreeze()


def test_what_a_worker_freezes_is_what_it_still_uses(app, config, monkeypatch):
    """Garbage left by loading (reference cycles nobody holds) is collected before the freeze,
    not kept for the worker's life."""
    import weakref

    monkeypatch.setenv("CYNIC_HOME", str(config.home))
    monkeypatch.setenv("CYNIC_DATABASE_URL", config.database_url)
    hooks = importlib.import_module("cynic_app.gunicorn_conf")

    class Node:
        pass

    gc.unfreeze()
    gc.disable()  # no automatic collection between here and the hook
    try:
        garbage = Node()
        garbage.self = garbage  # a cycle: only a collection frees it
        left = weakref.ref(garbage)
        del garbage
        hooks.post_worker_init(SimpleNamespace(wsgi=app, pid=0, log=None, alive=True))
        assert left() is None
    finally:
        gc.enable()
        gc.unfreeze()
