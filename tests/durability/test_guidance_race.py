"""Processes and threads racing for guidance.json.lock with bounds that run out mid-race.

A write whose bound runs out raises GuidanceBusy while another process holds the lock, and the
thread that waits for the lock in the kernel for it (HeldLock's taker) may take it just after
the write gave up. Whatever the interleaving: a write that returns has the file durably naming
its judgment or a newer one; no reader ever sees the file move backwards; a process whose
writes gave up can still write within an ordinary bound (nothing of its lock is left held or
wedged); and the file ends naming the newest judgment written, or a newer one that a write
gave up on and a later one named for it.
"""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import random
import threading
import time

from cynic_app.durability.guidance import LOCK_NAME, GuidanceBusy, GuidanceWriter, position_of, read_guidance
from cynic_app.durability.journal import Position
from cynic_app.judgment import Cell, judge

PROCESSES, THREADS, WRITES = 3, 2, 40
#: Bounds drawn per write: none at all, shorter than a replacement, about one, several.
BOUNDS_S = (0.0, 0.0002, 0.001, 0.005, 0.05)


def _race(home, index: int, seed: int, start, first_tries, finished, out) -> None:
    writer = GuidanceWriter(home)
    j = judge(Cell.create(content="x = 1")).to_dict()
    rng = random.Random(seed)
    plans = [[rng.choice(BOUNDS_S) for _ in range(WRITES)] for _ in range(THREADS)]
    result = {"violations": [], "busy": 0, "done": [], "tried": [], "final": None}
    lock = threading.Lock()

    def thread(t: int) -> None:
        for i, bound in enumerate(plans[t]):
            # positions interleave across processes and threads, so each write races others'
            position = Position(i * 100 + index * 10 + t, f"p{index}", i)
            with lock:
                result["tried"].append(tuple(position))
            try:
                writer.write(j, position, timeout_s=bound if i else 0.0)
            except GuidanceBusy:
                with lock:
                    result["busy"] += 1
                continue
            finally:
                if i == 0:
                    with first_tries.get_lock():
                        first_tries.value += 1
            named = position_of(read_guidance(writer.path))
            with lock:
                result["done"].append(tuple(position))
                if named < position:
                    result["violations"].append((tuple(position), tuple(named)))

    start.wait()
    threads = [threading.Thread(target=thread, args=(t,)) for t in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    final = Position(WRITES * 100 + index * 10 + THREADS, f"p{index}", WRITES)
    try:
        writer.write(j, final, timeout_s=5.0)
        result["final"] = tuple(final)
    except GuidanceBusy as exc:
        result["violations"].append(("final write", str(exc)))
    out.put(result)
    finished.wait(30)  # alive until every process has written its last: a lock it kept would show


def test_writes_that_give_up_mid_race_leave_the_file_and_the_lock_sound(tmp_path):
    ctx = multiprocessing.get_context("fork")
    start, finished, out = ctx.Event(), ctx.Barrier(PROCESSES), ctx.Queue()
    first_tries = ctx.Value("i", 0)
    seed = random.randrange(2**32)
    procs = [
        ctx.Process(target=_race, args=(tmp_path, p, seed + p, start, first_tries, finished, out))
        for p in range(PROCESSES)
    ]
    for p in procs:
        p.start()
    seen, backwards, stop = [], [], threading.Event()

    def reader() -> None:
        last = None
        while not stop.is_set():
            doc = read_guidance(tmp_path / "guidance.json")
            if doc is not None:
                named = position_of(doc)
                if last is not None and named < last:
                    backwards.append((last, named))
                last = named
                seen.append(named)

    r = threading.Thread(target=reader)
    # Every thread's first write has no time at all and meets the lock held here: each gives up.
    fd = os.open(tmp_path / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o640)
    fcntl.flock(fd, fcntl.LOCK_EX)
    start.set()
    deadline = time.monotonic() + 60
    while first_tries.value < PROCESSES * THREADS and time.monotonic() < deadline:
        time.sleep(0.005)
    os.close(fd)  # lets go once every first write has given up: their takers may now take it
    r.start()
    results = [out.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(10)
    stop.set()
    r.join()

    assert [p.exitcode for p in procs] == [0] * PROCESSES
    assert [v for res in results for v in res["violations"]] == [], f"seed {seed}"
    assert backwards == [], f"seed {seed}"
    assert sum(res["busy"] for res in results) >= PROCESSES * THREADS  # the race did happen
    done = [Position(*d) for res in results for d in [*res["done"], res["final"]]]
    tried = {Position(*t) for res in results for t in [*res["tried"], res["final"]]}
    named = position_of(read_guidance(tmp_path / "guidance.json"))
    assert named >= max(done) and named in tried, f"seed {seed}"
    assert not list(tmp_path.glob(".guidance.json.*"))  # no temporary file left behind
