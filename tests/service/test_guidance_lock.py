"""guidance.json.lock held by a process that does not let go: writes stay bounded and honest.

Issue 22.4: a stopped process holding the lock (Ctrl-Z on `cynic checkpoint`) hung every write
although its rows were committed, and /ready said 200. The holder here is a real second process
that takes the flock and is stopped with SIGSTOP.
"""

from __future__ import annotations

import os
import signal
import threading

import psycopg
import pytest

from cynic_app.durability.guidance import LOCK_NAME, read_guidance
from tests.support.faults import flock_held
from tests.support.harness import serving

WAIT_S = 30  # a write answers in about 2 s; this bound is only reached when it hangs


@pytest.fixture
def stopped_holder(config):
    """A process holding guidance.json.lock, stopped (SIGSTOP) while it holds it."""
    config.home.mkdir(parents=True, exist_ok=True)
    with flock_held(config.home / LOCK_NAME) as holder:
        os.kill(holder.pid, signal.SIGSTOP)
        yield holder


def answered_within(client, path: str, body: dict | None = None):
    """The response to one request, asserting it came within WAIT_S (a hang fails the test)."""
    result = {}

    def call():
        result["r"] = client.post(path, json=body) if body is not None else client.get(path)

    t = threading.Thread(target=call, daemon=True)
    t.start()
    t.join(WAIT_S)
    assert "r" in result, f"{path} did not answer within {WAIT_S} s"
    return result["r"]


def test_a_stopped_process_holding_the_lock_gets_written_not_a_hang(config, stopped_holder):
    with serving(config) as app:
        client = app.test_client()
        r = answered_within(client, "/judge", {"content": "x = 1"})
        assert r.status_code == 503
        details = r.get_json()["error"]["details"]
        assert (details["outcome"], details["step"]) == ("written", "guidance")
        with psycopg.connect(config.database_url) as conn:
            assert conn.execute(
                "SELECT count(*) FROM judgments WHERE judgment_id = %s", (details["judgment_id"],)
            ).fetchone() == (1,)
        ready = answered_within(client, "/ready")
        assert ready.status_code == 503
        assert ready.get_json()["checks"]["guidance"]["ok"] is False

        os.kill(stopped_holder.pid, signal.SIGCONT)
        stopped_holder.kill()
        stopped_holder.wait()
        r = answered_within(client, "/judge", {"content": "y = 2"})
        assert r.status_code == 200
        assert read_guidance(config.home / "guidance.json")["judgment_id"] == r.get_json()["judgment_id"]
        assert answered_within(client, "/ready").get_json()["checks"]["guidance"]["ok"] is True
