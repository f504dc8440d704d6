"""Idempotency-Key: a retry gets the original answer, never a second write."""

import threading

import psycopg
import pytest

from cynic_app.api.context import runtime_of
from cynic_app.node.open import settle_node as replay
from tests.support.harness import serving

BODY = {"content": "def f(x: int) -> int:\n    return x * 2\n"}


def count(database_url, table="judgments"):
    with psycopg.connect(database_url) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - fixed names


def test_a_retry_returns_the_original_response_without_a_second_write(client, database_url):
    first = client.post("/judge", json=BODY, headers={"Idempotency-Key": "k-1"})
    again = client.post("/judge", json=BODY, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 200
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert count(database_url) == 1


def test_the_same_key_with_another_body_is_rejected(client, database_url):
    client.post("/judge", json=BODY, headers={"Idempotency-Key": "k-2"})
    r = client.post("/judge", json={"content": "y = 2"}, headers={"Idempotency-Key": "k-2"})
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "idempotency_key_reused"
    r = client.post("/perceive", json={"source": "s", "content": "y"}, headers={"Idempotency-Key": "k-2"})
    assert r.status_code == 422
    assert count(database_url) == 1


def test_concurrent_requests_with_one_key_make_one_write(app, database_url):
    answers, barrier = [], threading.Barrier(8)

    def post():
        client = app.test_client()
        barrier.wait()
        r = client.post("/judge", json=BODY, headers={"Idempotency-Key": "k-race"})
        answers.append((r.status_code, r.get_json()["judgment_id"]))

    threads = [threading.Thread(target=post) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {status for status, _ in answers} == {200}
    assert len({jid for _, jid in answers}) == 1
    assert count(database_url) == 1


def test_perceive_retries_too(client, database_url):
    body = {"source": "sensor", "content": "the price rises"}
    first = client.post("/perceive", json=body, headers={"Idempotency-Key": "p-1"}).get_json()
    again = client.post("/perceive", json=body, headers={"Idempotency-Key": "p-1"})
    assert again.get_json() == first and again.headers["Idempotent-Replayed"] == "true"
    assert count(database_url, "perceptions") == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there", "ключ"])
def test_malformed_keys_are_422(client, key):
    r = client.post("/judge", json=BODY, headers={"Idempotency-Key": key})
    assert r.status_code == 422


def test_replay_restores_keys_with_their_records(app, config, client, database_url):
    first = client.post("/judge", json=BODY, headers={"Idempotency-Key": "k-replay"}).get_json()
    runtime_of(app).close()
    with psycopg.connect(database_url) as conn:
        conn.execute("TRUNCATE judgments, perceptions, idempotency_keys, state_counters")
    replay(config)

    with serving(config) as again_app:
        again = again_app.test_client().post("/judge", json=BODY, headers={"Idempotency-Key": "k-replay"})
        assert again.headers.get("Idempotent-Replayed") == "true"
        assert again.get_json()["judgment_id"] == first["judgment_id"]
