"""The gunicorn workers: gthread, but a request gets a thread only once its head is whole; and
gunicorn's own error answers in JSON.

gunicorn's gthread worker hands every new connection to a thread, which waits up to 5 s for a
first byte and then reads the request head with no time limit: a few dozen connections sending
a header byte every 2 s held every thread, and /health timed out. ``HeadFirstWorker`` reads heads
in the worker's event loop instead (non-blocking, like a proxy buffering requests), so slow
heads cost a file descriptor and a buffer, never a thread:

- a connection (new, or kept alive after an answer) is given to a thread only once its head
  ends (CRLF CRLF), or once the head can only be refused (a bare LF: gunicorn's parser refuses
  it without reading more). The bytes read are handed to gunicorn's parser as if just received;
- per connection, the head MUST arrive within CYNIC_HEAD_TIMEOUT_S of the connection's first
  wait (its accept, or the end of its previous answer): else a JSON 408 (or, if it sent
  nothing, a silent close, as gunicorn closes an idle kept-alive connection). A head over
  HEAD_LIMIT_BYTES gets a JSON 431, however its bytes arrive;
- in total, at most MAX_WAITING_HEADS connections per worker wait for their head: the oldest is
  dropped (408, or closed if it sent nothing) to make room, so a flood cannot make the worker
  stop accepting;
- a client that does not read its answer cannot hold a thread for long: a thread waits for it
  FAST_SEND_WAIT_S, and longer only while holding one of the worker's slow slots (the ones slow
  bodies take, api/receive.py: ``threads - 1``, so one thread is always left), at most the body
  timeout; past either its connection is closed, answered in part (``_BoundedSend``). A blocking
  send had no limit at all: eight connections pipelining big answers they never read held every
  thread of both workers, and /health went unanswered as long as they stayed;
- the app may ask for a connection to be closed after its answer (``environ[CLOSE_KEY]``:
  api/receive.py does for a refused body): the answer says ``Connection: close``, and what the
  client sends after it is only discarded by the linger below, never parsed (gunicorn neither
  drains the rest of the body in the thread nor reads a next request);
- ``Expect: 100-continue``: gunicorn sends ``100 Continue`` before the app runs, so a client
  was asked for a 50 MB body the app then refused unread (413). The app's first read of the
  body sends it instead (``_ContinueOnRead``); a body refused unread is never asked for;
- a connection closed after its answer lingers (its last bytes drained, LINGER_S at most) as the
  event loop's reads, without blocking it: gunicorn's gthread worker lingered inside the loop,
  blocking up to 2 s for each client that neither sent more nor closed. At most MAX_LINGERING
  connections linger; past that they are closed at once.

Both workers share the load whatever the clients do with their connections. gthread accepts
while it has room for connections (1,000), and a kept-alive connection stays with the worker that
accepted it: keep-alive clients (every load balancer) sometimes all sat on one worker, with one
core busy and the other idle. So:

- a worker accepts only while one of its threads is free (connections it is serving or has
  queued for a thread: ``busy``). A connection waiting for its head or kept alive between
  requests does not count, so a flood of slow heads still cannot stop it accepting;
- after an answer, a worker that holds more connections than it has threads (heads of new
  connections not counted) closes that one (``Connection: close``, as HTTP allows after any
  answer): its client reconnects, and the connection goes to whichever worker has a thread free.
  With as many keep-alive clients as the node has threads, each worker ends with its share and
  keeps them alive; with more, the ones beyond wait in the listen queue, as they would have
  waited behind a busy thread;
- with fewer, every worker has a thread free and none sheds: so a kept-alive connection is also
  closed after KEEPALIVE_REQUESTS answers. Both workers wait on the listening socket; the idle
  one accepts first (the busy one's event loop waits for the GIL), so connections drift to it.

Heads are checked about once a second (the event loop's own tick). With TLS or HTTP/2 (neither
is configured by cynic_app) the worker behaves as gunicorn's. Errors gunicorn answers itself are
JSON (gunicorn_errors.py).
"""

from __future__ import annotations

import errno
import logging
import select
import selectors
import socket
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import partial

from gunicorn import util
from gunicorn.glogging import Logger
from gunicorn.http2 import negotiation
from gunicorn.workers.gthread import STOP_KEEPALIVE_LINGER, TConn, ThreadWorker

from . import metrics
from .api.receive import CLOSE_KEY, SEND_BOUNDS_KEY
from .gunicorn_errors import JsonErrors, error_answer
from .logs import printable
from .serving import ServerSettings

access = logging.getLogger("cynic_app.access")

#: Largest request head read (and buffered) before the answer is 431.
HEAD_LIMIT_BYTES = 64 * 1024
#: Connections of one worker waiting for their head at once; the oldest is dropped for a new one.
MAX_WAITING_HEADS = 256
#: Connections of one worker draining before their close, at most; and for how long, how much.
MAX_LINGERING = 256
LINGER_S = 2.0
LINGER_MAX_BYTES = 64 * 1024
RECV_BYTES = 16 * 1024
#: Answers on one kept-alive connection before it is closed, so that its client reconnects to
#: whichever worker accepts first (the idle one; module doc). nginx's keepalive_requests, smaller.
KEEPALIVE_REQUESTS = 100


def head_end(buf: bytearray, start: int) -> int | None:
    """The length of the head in buf once gunicorn's parser can read it without waiting for more
    bytes (up to its CRLF CRLF, or past a bare LF the parser refuses at once); None while it goes
    on. Scans only from ``start`` (the bytes before it were scanned already), so a head trickled
    byte by byte costs linear time."""
    crlfcrlf = buf.find(b"\r\n\r\n", max(0, start - 3))
    lf = buf.find(b"\n", start)
    while lf >= 0 and (crlfcrlf < 0 or lf < crlfcrlf):
        if lf == 0 or buf[lf - 1] != ord("\r"):
            return lf + 1
        lf = buf.find(b"\n", lf + 1)
    return crlfcrlf + 4 if crlfcrlf >= 0 else None


class QuietAccessLogger(Logger):
    """gunicorn's logger, building an access line only when gunicorn.access would write it.

    Each request is logged once, by the app (with its request id): gunicorn.access is set to
    WARNING. But with a logging dictConfig gunicorn builds every request's access atoms (a dict
    of some twenty fields, a date formatted) before its logger drops the line."""

    def access(self, resp, req, environ, request_time):
        if self.access_log.isEnabledFor(logging.INFO):
            super().access(resp, req, environ, request_time)


class _Conn(TConn):
    """A connection whose graceful close lingers in the worker's event loop (never blocks it)."""

    def __init__(self, worker: HeadFirstWorker, *args):
        super().__init__(*args)
        self.worker = worker
        self.head: bytes | None = None  # set when the whole head is read, taken by handle()
        self.answered = 0  # requests answered on this connection

    def close(self, graceful=False):
        if graceful:
            self.worker.linger(self.sock)
        else:
            super().close()


@dataclass
class _Waiting:
    buf: bytearray
    deadline: float
    started: float
    fresh: bool  # a new connection's first head (not yet this worker's load)


#: How long a thread waits for a client to read its answer before it needs a slow slot.
FAST_SEND_WAIT_S = 0.025


class SendRefused(OSError):
    """The client did not read its answer: no slow slot was free, or its time ran out."""


class _BoundedSend:
    """A connection's socket as gunicorn's Response writes an answer to it (module doc).

    ``sendall`` sends without blocking and waits (poll) while the client's buffers are full:
    FAST_SEND_WAIT_S from the answer's first wait, then only holding a slow slot, until
    ``timeout_s`` from that first wait; past either it raises SendRefused. Until the app has
    bound it (``environ[SEND_BOUNDS_KEY]``, which api/receive.py calls with its slots and the
    body timeout) it sends as the socket does. Anything else is the socket's own.
    """

    def __init__(self, sock: socket.socket):
        self._sock = sock
        self._slots: threading.Semaphore | None = None
        self._timeout_s = 0.0
        self._since: float | None = None  # the answer's first wait for the client
        self._holding = False

    def __getattr__(self, name):
        return getattr(self._sock, name)

    def bound(self, slots: threading.Semaphore, timeout_s: float) -> None:
        self._slots, self._timeout_s = slots, timeout_s

    def sendall(self, data, flags: int = 0) -> None:
        if self._slots is None:
            self._sock.sendall(data, flags)
            return
        view = memoryview(data).cast("B")
        while view:
            try:
                view = view[self._sock.send(view, flags | socket.MSG_DONTWAIT) :]
            except BlockingIOError:
                self._wait_writable()

    def _wait_writable(self) -> None:
        now = time.monotonic()
        if self._since is None:
            self._since = now
        if not self._holding and now >= self._since + FAST_SEND_WAIT_S:
            if not self._slots.acquire(blocking=False):
                raise SendRefused(
                    errno.ETIMEDOUT, "the client does not read its answer, and no slow slot is free"
                )
            self._holding = True
        ends = self._since + (self._timeout_s if self._holding else FAST_SEND_WAIT_S)
        if now >= ends:
            raise SendRefused(
                errno.ETIMEDOUT, f"the client did not read its answer within {self._timeout_s:g} s"
            )
        poller = select.poll()  # not select: it refuses descriptors numbered past 1023
        poller.register(self._sock.fileno(), select.POLLOUT)
        poller.poll(max(1, round((ends - now) * 1000)))

    def release(self) -> None:
        """The answer is over: give back the slot, if it took one."""
        if self._holding:
            self._holding = False
            self._slots.release()


class _ContinueOnRead:
    """The body of a request that said ``Expect: 100-continue``: its first read sends ``100
    Continue``, so the client sends the body only once the app reads it (RFC 9110 10.1.1). A
    body the app refuses unread (too large to drain: api/receive.py) is never asked for."""

    CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"

    def __init__(self, body, sock):
        self._body, self._sock, self._due = body, sock, True

    def _ask(self) -> None:
        if self._due:
            self._due = False
            self._sock.sendall(self.CONTINUE)

    def read(self, size=None):
        self._ask()
        return self._body.read(size)

    def readline(self, size=None):
        self._ask()
        return self._body.readline(size)

    def readlines(self, hint=None):
        self._ask()
        return self._body.readlines(hint)

    def __iter__(self):
        self._ask()
        return iter(self._body)


class HeadFirstWorker(JsonErrors, ThreadWorker):
    """gunicorn's gthread worker reading request heads in its event loop (module doc)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.head_timeout_s = ServerSettings.from_env().head_timeout_s
        self.heads: OrderedDict[_Conn, _Waiting] = OrderedDict()  # by arrival: the oldest is evicted first
        self.lingering: OrderedDict[socket.socket, tuple[float, int]] = OrderedDict()
        self.busy = 0  # connections being served or queued for a thread (the event loop's count)
        self.new_heads = 0  # heads waiting of connections never served (not this worker's load)

    def init_process(self) -> None:
        """In the worker process, after the fork (as gthread makes its thread pool and poller):
        what each thread serves is the process's own."""
        self.serving = threading.local()  # .req, .send: the request this thread is serving, its socket
        super().init_process()

    # -- sharing the load with the other workers (module doc) --------------------------------

    def set_accept_enabled(self, enabled: bool) -> None:
        """gunicorn's loop asks this whenever its own answer changes, and on every tick while
        the listeners are off: accept only while a thread is free."""
        super().set_accept_enabled(enabled and self.busy < self.cfg.threads)

    def _submit(self, conn) -> None:
        self.busy += 1
        if self.busy >= self.cfg.threads:
            super().set_accept_enabled(False)
        super().enqueue_req(conn)

    def finish_request(self, conn, fs):
        self.busy -= 1
        super().finish_request(conn, fs)

    def handle_request(self, req, conn):
        """In a thread: a connection beyond this worker's share, or one that has had its
        KEEPALIVE_REQUESTS answers, is answered and then closed."""
        if isinstance(conn, _Conn):
            conn.answered += 1
            if conn.answered >= KEEPALIVE_REQUESTS:
                req.must_close = True
        if self.nr_conns - self.new_heads > self.cfg.threads:
            req.must_close = True
            metrics.connections_handed_back.inc()
        # gunicorn answers "100 Continue" before the app runs: the app's first read of the body
        # asks for it instead (_ContinueOnRead), so a body refused unread is never asked for
        req.cynic_expects_continue = getattr(req, "_expected_100_continue", False)
        req._expected_100_continue = False
        sock, bounded = conn.sock, _BoundedSend(conn.sock)
        self.serving.req, self.serving.send = req, bounded
        conn.sock = bounded  # gunicorn's Response writes the answer to conn.sock
        try:
            return super().handle_request(req, conn)
        except SendRefused as exc:
            self.log.warning(
                "answer to %s not sent whole, connection closed: %s", printable(str(conn.client)), exc
            )
            return False
        finally:
            conn.sock = sock
            bounded.release()
            self.serving.req = self.serving.send = None

    # -- the app's say on the connection (module doc) ------------------------------------------

    def load_wsgi(self) -> None:
        super().load_wsgi()
        self.wsgi = partial(self._serve, self.wsgi)

    def _serve(self, app, environ, start_response):
        """Run the app with ``environ[CLOSE_KEY]`` (called before the answer starts, it makes the
        answer say ``Connection: close`` and gunicorn close the connection after it) and
        ``environ[SEND_BOUNDS_KEY]`` (called with the slow slots and the body timeout, it bounds
        the wait for a client that does not read the answer)."""
        req = getattr(self.serving, "req", None)
        if req is not None:
            environ[CLOSE_KEY] = partial(setattr, req, "must_close", True)
            environ[SEND_BOUNDS_KEY] = self.serving.send.bound
            if req.cynic_expects_continue:
                environ["wsgi.input"] = _ContinueOnRead(environ["wsgi.input"], self.serving.send)
        return app(environ, start_response)

    # -- gunicorn's entry points ---------------------------------------------------------------

    def accept(self, listener) -> None:
        try:
            client_sock, client_addr = listener.accept()
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        if self.cfg.is_ssl or negotiation.prior_knowledge_allowed(self.cfg, client_addr):
            client_sock.setblocking(True)  # TLS or HTTP/2 bytes are not an HTTP/1 head: gunicorn's way
            self._submit(TConn(self.cfg, client_sock, client_addr, listener.getsockname()))
            return
        self.enqueue_req(_Conn(self, self.cfg, client_sock, client_addr, listener.getsockname()))

    def enqueue_req(self, conn) -> None:
        """Give conn to a thread once its head is whole; until then the event loop reads it."""
        if not isinstance(conn, _Conn) or conn.head is not None:
            self._submit(conn)
            return
        buf = bytearray(conn.parser.unreader.take_buffered() if conn.parser is not None else b"")
        end = head_end(buf, 0)
        if end is not None and end <= HEAD_LIMIT_BYTES:  # pipelined behind the previous request
            self._hand_over(conn, buf)
            return
        if len(self.heads) >= MAX_WAITING_HEADS:
            oldest = next(iter(self.heads))
            self._end_head(oldest, "evicted")
        now = time.monotonic()
        wait_s = self.head_timeout_s if self.alive else STOP_KEEPALIVE_LINGER
        since = now
        if conn.initialized and conn.timeout is not None:  # kept alive: since its previous answer
            since = min(now, conn.timeout - self.cfg.keepalive)
        conn.sock.setblocking(False)
        self.heads[conn] = _Waiting(buf, since + wait_s, now, fresh=not conn.initialized)
        self.new_heads += self.heads[conn].fresh
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._read_head, conn))
        if end is not None or len(buf) > HEAD_LIMIT_BYTES:
            self._end_head(conn, "too_large")
            return
        self._read_head(conn, conn.sock)  # the head often came with the connection

    def handle(self, conn):
        """In a thread: feed the head read by the event loop to gunicorn's parser, then serve."""
        if isinstance(conn, _Conn) and conn.head is not None:
            head, conn.head = conn.head, None
            conn.sock.setblocking(True)
            conn.init()
            conn.parser.unreader.unread(head)
        return super().handle(conn)

    def murder_pending(self) -> None:
        """Every tick of the event loop: also end heads and lingering closes past their time."""
        super().murder_pending()
        now = time.monotonic()
        if not self.alive:  # stopping: heads get what kept-alive connections get
            for waiting in self.heads.values():
                waiting.deadline = min(waiting.deadline, now + STOP_KEEPALIVE_LINGER)
        for conn in [conn for conn, waiting in self.heads.items() if waiting.deadline <= now]:
            self._end_head(conn, "timeout")
        while self.lingering:
            sock, (deadline, _drained) = next(iter(self.lingering.items()))
            if deadline > now:
                break
            self._close_lingering(sock)

    # -- heads ---------------------------------------------------------------------------------

    def _read_head(self, conn: _Conn, _sock) -> None:
        waiting = self.heads.get(conn)
        if waiting is None:
            return
        try:
            data = conn.sock.recv(RECV_BYTES)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""  # reset: as good as closed
        if not data:  # the client closed (or reset) before its head was whole
            self._forget_head(conn)
            util.close(conn.sock)
            return
        start = len(waiting.buf)
        waiting.buf += data
        end = head_end(waiting.buf, start)
        if end is not None and end <= HEAD_LIMIT_BYTES:
            self._forget_head(conn, count=False)
            self._hand_over(conn, waiting.buf)
        elif end is not None or len(waiting.buf) > HEAD_LIMIT_BYTES:
            self._end_head(conn, "too_large")

    def _hand_over(self, conn: _Conn, buf: bytearray) -> None:
        conn.head = bytes(buf)
        conn.data_ready = True  # gunicorn's handle() must not wait for data again
        self._submit(conn)

    def _forget_head(self, conn: _Conn, *, count: bool = True) -> None:
        """Stop waiting for conn's head (count: and stop counting the connection)."""
        self.new_heads -= self.heads.pop(conn).fresh
        self.poller.unregister(conn.sock)
        if count:
            self.nr_conns -= 1

    def _end_head(self, conn: _Conn, reason: str) -> None:
        """Give up on a head: 408 or 431 if the client sent part of one, else close in silence."""
        waiting = self.heads[conn]
        self._forget_head(conn)
        if not waiting.buf:
            util.close(conn.sock)
            return
        status = 431 if reason == "too_large" else 408
        message = (
            f"the request head is over {HEAD_LIMIT_BYTES} bytes"
            if status == 431
            else f"the request head did not arrive within {self.head_timeout_s:g} s"
            if reason == "timeout"
            else "the request head was arriving slowly while too many others did"
        )
        metrics.heads_refused.labels(reason).inc()
        client = printable(str(conn.client[0]) if isinstance(conn.client, tuple) else str(conn.client))
        took_ms = (time.monotonic() - waiting.started) * 1000
        access.info(
            "%s - - %d %.1fms (%s)",
            client,
            status,
            took_ms,
            message,
            extra={"client": client, "status": status, "duration_ms": round(took_ms, 3), "reason": reason},
        )
        try:
            conn.sock.send(error_answer(status, message))
        except OSError as exc:  # the socket buffer is full or the client gone: close without it
            self.log.debug("head refusal not sent: %s", exc)
        self.linger(conn.sock)

    # -- closing -------------------------------------------------------------------------------

    def linger(self, sock: socket.socket) -> None:
        """Close sock after our last answer without losing it to a reset: shut our side, drain
        what the client still sends (in the event loop) until it closes or LINGER_S passes."""
        if len(self.lingering) >= MAX_LINGERING:
            util.close(sock)
            return
        try:
            sock.shutdown(socket.SHUT_WR)
            sock.setblocking(False)
        except OSError:  # already reset: nothing to linger for
            util.close(sock)
            return
        self.lingering[sock] = (time.monotonic() + LINGER_S, 0)
        self.poller.register(sock, selectors.EVENT_READ, self._drain)

    def _drain(self, sock: socket.socket) -> None:
        try:
            data = sock.recv(RECV_BYTES)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        deadline, drained = self.lingering[sock]
        drained += len(data)
        if not data or drained > LINGER_MAX_BYTES:
            self._close_lingering(sock)
        else:
            self.lingering[sock] = (deadline, drained)

    def _close_lingering(self, sock: socket.socket) -> None:
        del self.lingering[sock]
        self.poller.unregister(sock)
        util.close(sock)
