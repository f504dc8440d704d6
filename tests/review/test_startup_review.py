"""Review reproducer: create_app takes the node lock, then can still fail (a bad CYNIC_THREADS
is read by ServerSettings.from_env() after open_node); nothing releases the lock on that path,
so it stays held for as long as anything references the failed start-up (here: the exception
the caller keeps), and a corrected restart in the same process is refused as NodeBusy."""

from __future__ import annotations

import pytest

from cynic_app import create_app
from cynic_app.config import ConfigError
from cynic_app.durability.home import NodeBusy, acquire_node_lock


def test_a_failed_create_app_releases_the_node_lock(config, monkeypatch):
    monkeypatch.setenv("CYNIC_THREADS", "lots")
    with pytest.raises(ConfigError) as failed:
        create_app(config)
    monkeypatch.delenv("CYNIC_THREADS")
    # The start-up failed: nothing may be held. A supervisor that logs `failed` and retries:
    try:
        lock = acquire_node_lock(config.home)
    except NodeBusy as exc:
        pytest.fail(f"the failed start-up still holds the node lock ({failed.value!r}): {exc}")
    lock.release()
