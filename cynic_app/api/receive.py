"""Receiving request bodies: whole, within a bounded time, before the app sees the request.

``ReceiveBodies`` wraps the WSGI app. For every request that carries a body it reads the body
before Flask runs, so that:

- a body over CYNIC_MAX_BODY_BYTES is read and discarded (up to DRAIN_LIMIT_BYTES) before the
  413 is sent, whatever the route (one that reads no body gets the 413 too): a client that
  writes its whole body before reading (urllib, requests) then reads the JSON 413 instead of a
  connection reset. Past DRAIN_LIMIT_BYTES the connection is closed unread (a client that
  insists on sending more may then see a reset);
- a body MUST arrive within CYNIC_BODY_TIMEOUT_S of the request's start, else the request is
  answered 408 (JSON) and the thread is free again: a timer shuts the socket's read side at the
  deadline, which ends the blocked read however slowly the client trickles;
- slow senders cannot take every thread of a worker. A body not fully received within
  FAST_WAIT_S needs one of the worker's ``threads - 1`` slow slots to keep waiting; when
  none is free the request is answered 503 at once. So at least one thread per worker is always
  left for requests whose bodies arrive at once (or that have none), however many connections
  trickle bodies in. Behind a proxy that buffers whole requests (docs/deployment.md) no body is
  ever slow here. The same slots bound clients that do not read their answers (the server binds
  its sending through ``environ[SEND_BOUNDS_KEY]``, worker.py): slow in either direction, at
  most ``threads - 1`` threads wait for clients.

A chunked body is bounded the same way (its size after decoding): stalled, it gets 408; cut
short, 400; with chunk framing gunicorn's parser refuses, 400 naming the fault — each a JSON
answer with an access line, never a silently closed connection.

A request whose body is refused (any of the above: 408, 503, 400, 413) is the last of its
connection: its answer says ``Connection: close`` and the connection is closed after it, unread.
Where that body ends on the connection is not known (a read side shut at the deadline still
receives what the client sends next), so no byte after it is ever parsed as a request: the rest
of a declared body, sent after the answer, is never served as one. The server is asked to close
through ``environ[CLOSE_KEY]`` (a callable HeadFirstWorker puts there, worker.py); gunicorn's sync
worker closes after every answer anyway.

Timeouts and slots apply under gunicorn (``gunicorn.socket`` in the environ); elsewhere (Flask's
test client) the body is simply read. The outcome reaches Flask as ``environ[OUTCOME_KEY]`` and
``check_received`` turns it into the JSON error, so 408/503 get a request id and an access line
like any other answer.
"""

from __future__ import annotations

import errno
import io
import socket
import threading
import time

from flask import Flask, request
from gunicorn.http.errors import NoMoreData, ParseException
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, RequestTimeout

from ..logs import printable
from ..timers import TIMERS
from .errors import ApiError

OUTCOME_KEY = "cynic.body"
#: Called (when the server provides it) for a refused body: the connection closes after the answer.
CLOSE_KEY = "cynic.close_connection"
#: Called (when the server provides it) with the slow slots and the body timeout: a thread waits
#: for a client that does not read its answer only as long as for one that sends its body slowly.
SEND_BOUNDS_KEY = "cynic.bound_sending"
MALFORMED_KEY = "cynic.body.malformed"  # what gunicorn's chunk parser said
#: A body not complete after this long is slow: it needs a slow-receive slot to go on waiting.
FAST_WAIT_S = 0.025
#: Largest over-limit body read (and discarded) so its sender can read the 413.
DRAIN_LIMIT_BYTES = 16 * 1024 * 1024
CHUNK_BYTES = 64 * 1024


class BodyTimedOut(Exception):
    """The body did not arrive within CYNIC_BODY_TIMEOUT_S."""


class BodyCutShort(Exception):
    """The client closed the connection before sending the whole body."""


class NoSlowSlot(Exception):
    """The body is slow and every slow-receive slot of this worker is taken."""


class BodyMalformed(Exception):
    """The chunked framing of the body is invalid (gunicorn's parser refused a chunk)."""


class ReceiveBodies:
    """WSGI middleware: read each request body whole, bounded in size and time (module doc)."""

    def __init__(self, app, *, max_body_bytes: int, timeout_s: float, slow_slots: int):
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.timeout_s = timeout_s
        self.slow_slots = max(slow_slots, 1)
        self.slots = threading.BoundedSemaphore(self.slow_slots)

    def __call__(self, environ, start_response):
        bound_sending = environ.get(SEND_BOUNDS_KEY)
        if bound_sending is not None:
            bound_sending(self.slots, self.timeout_s)
        length = _content_length(environ)
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if length or chunked:
            environ[OUTCOME_KEY] = outcome = self._receive(environ, length, chunked)
            close = environ.get(CLOSE_KEY)
            if outcome != "received" and close is not None:
                close()
        return self.app(environ, start_response)

    def _receive(self, environ, length: int | None, chunked: bool) -> str:
        """Replace wsgi.input with the whole body in memory; return what happened."""
        stream = environ["wsgi.input"]
        too_large = length is not None and length > self.max_body_bytes
        if too_large and length > DRAIN_LIMIT_BYTES:
            return "too_large"  # not worth reading: werkzeug answers 413, the connection closes
        limit = min(length, DRAIN_LIMIT_BYTES) if too_large else (length or self.max_body_bytes + 1)
        reader = _Reader(stream, environ.get("gunicorn.socket"), self.timeout_s, self.slots)
        try:
            body = reader.read(limit, keep=not too_large, exact=length is not None)
        except BodyTimedOut:
            outcome = "timed_out"
        except BodyCutShort:
            outcome = "cut_short"
        except NoSlowSlot:
            outcome = "no_slot"
        except BodyMalformed as exc:
            outcome = "malformed"
            environ[MALFORMED_KEY] = str(exc)
        else:
            if too_large:
                outcome = "too_large"
            elif chunked and len(body) > self.max_body_bytes:
                outcome, body = "too_large", b""
                environ["CONTENT_LENGTH"] = str(self.max_body_bytes + 1)  # werkzeug's 413
            else:
                outcome = "received"
                environ["CONTENT_LENGTH"] = str(len(body))
            environ["wsgi.input"] = io.BytesIO(body)
            environ.pop("HTTP_TRANSFER_ENCODING", None)
            return outcome
        environ["wsgi.input"] = io.BytesIO(b"")
        return outcome


class _Reader:
    """One body read; under gunicorn a _Watch bounds it in time (module doc)."""

    def __init__(self, stream, sock: socket.socket | None, timeout_s: float, slots: threading.Semaphore):
        self.stream = stream
        self.watch = _Watch(sock, timeout_s, slots) if sock is not None else None

    def read(self, limit: int, *, keep: bool, exact: bool) -> bytes:
        """Read up to limit bytes (exactly limit when exact: a known Content-Length)."""
        parts, received, failure = [], 0, None
        try:
            while received < limit:
                try:
                    data = self.stream.read(min(CHUNK_BYTES, limit - received))
                except NoMoreData:  # a chunked body ended early: the client, or the watch, shut it
                    failure = BodyCutShort()
                    break
                except ParseException as exc:
                    failure = BodyMalformed(printable(str(exc))[:200])
                    break
                if not data:  # end of the body, the client gone, or the watch shut the read side
                    break
                received += len(data)
                if keep:
                    parts.append(data)
        finally:
            ended = self.watch.finish() if self.watch is not None else "fast"
        if ended == "refused":
            raise NoSlowSlot
        if ended == "expired":
            raise BodyTimedOut
        if failure is not None:
            raise failure
        if exact and received < limit:
            raise BodyCutShort
        return b"".join(parts) if keep else b""


class _Watch:
    """The timers of one body read, run by the process's timer thread (cynic_app/timers.py).

    States: fast → (FAST_WAIT_S later, body still arriving) slow with a slot, or refused → (at
    the deadline, still arriving) expired; finish() moves any state to done. Refusing and
    expiring shut the socket's read side, which ends a blocked read at once with EOF. The slot
    is taken by the timer and given back by finish(), under the same lock as the state.
    """

    def __init__(self, sock: socket.socket, timeout_s: float, slots: threading.Semaphore):
        self.sock, self.slots = sock, slots
        self.state = "fast"
        self._lock = threading.Lock()
        now = time.monotonic()
        self.deadline = now + timeout_s
        self._deadline_timer: int | None = None
        self._fast_timer = TIMERS.schedule(now + min(FAST_WAIT_S, timeout_s), self._fast_wait_over)

    def _fast_wait_over(self) -> None:
        with self._lock:
            if self.state != "fast":
                return
            if self.slots.acquire(blocking=False):
                self.state = "slow"
                self._deadline_timer = TIMERS.schedule(self.deadline, self._deadline_reached)
            else:
                self.state = "refused"
                self._shut_read_side()

    def _deadline_reached(self) -> None:
        with self._lock:
            if self.state == "slow":
                self.state = "expired"
                self._shut_read_side()

    def _shut_read_side(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RD)
        except OSError as exc:
            # ENOTCONN: the client is already gone, so the read has ended by itself.
            if exc.errno != errno.ENOTCONN:
                raise

    def finish(self) -> str:
        """Stop watching; return the state the read ended in. The timers are cancelled first,
        outside the lock their callbacks take: once the fast one cannot run, the deadline's
        timer is known (it is set by the fast one), and cancelled too."""
        TIMERS.cancel(self._fast_timer)
        if self._deadline_timer is not None:
            TIMERS.cancel(self._deadline_timer)
        with self._lock:
            ended, self.state = self.state, "done"
            if ended in ("slow", "expired"):
                self.slots.release()
        return ended


def _content_length(environ) -> int | None:
    raw = environ.get("CONTENT_LENGTH", "")
    return int(raw) if raw.isdigit() else None


def register(app: Flask) -> None:
    @app.before_request
    def check_received():
        outcome = request.environ.get(OUTCOME_KEY)
        if outcome == "timed_out":
            raise RequestTimeout("the request body did not arrive within the time allowed")
        if outcome == "too_large":  # whatever the route reads (a GET that reads none, a 404)
            raise RequestEntityTooLarge()
        if outcome == "cut_short":
            raise BadRequest("the connection closed before the whole body arrived")
        if outcome == "malformed":
            raise BadRequest(f"the chunked body is malformed: {request.environ[MALFORMED_KEY]}")
        if outcome == "no_slot":
            raise ApiError(
                503,
                "too_many_slow_bodies",
                "the body is arriving slowly and this worker is already waiting for other slow "
                "bodies; send the whole body at once, or retry",
            )
        return None
