"""What the walk records about Python (pywalk.py fills these; the checks read them)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field


@dataclass
class Function:
    name: str
    lineno: int
    length: int
    n_args: int
    has_docstring: bool
    annotated: bool
    returns: str | None  # the return annotation as source text
    is_stub: bool
    always_true: bool  # the body is just "return True"
    cls: str | None  # enclosing class name
    end_line: int = 0
    raises_not_implemented: bool = False  # a stub that raises NotImplementedError (not a pass)
    nested: bool = False  # defined inside another function
    owner: Function | None = field(default=None, repr=False, compare=False)  # that function
    node: ast.FunctionDef | ast.AsyncFunctionDef | None = None
    depth: int = 0
    complexity: int = 1
    return_kinds: list[str] = field(default_factory=list)  # type names of constant returns


@dataclass
class Call:
    name: str  # dotted, e.g. "subprocess.run"
    lineno: int
    node: ast.Call
    owner: Function | None
    parent: ast.AST | None


@dataclass
class Handler:
    lineno: int
    bare: bool
    broad: bool
    drops: bool  # the error goes nowhere: not re-raised, not logged at WARNING or above
    end_line: int = 0
    cleanup: bool = False  # best-effort clean-up: in __del__/close/…, or around closing calls only


#: Calls that open something someone must close: files, connections, sockets, processes.
OPENERS = frozenset(
    {
        "open",
        "io.open",
        "codecs.open",
        "gzip.open",
        "bz2.open",
        "lzma.open",
        "tarfile.open",
        "zipfile.ZipFile",
        "socket.socket",
        "socket.create_connection",
        "sqlite3.connect",
        "psycopg2.connect",
        "psycopg.connect",
        "pymysql.connect",
        "MySQLdb.connect",
        "mysql.connector.connect",
        "subprocess.Popen",
        "Popen",
        "urllib.request.urlopen",
        "urlopen",
        "requests.Session",
        "httpx.Client",
        "httpx.AsyncClient",
        "aiohttp.ClientSession",
        "ftplib.FTP",
        "smtplib.SMTP",
        "smtplib.SMTP_SSL",
        "tempfile.NamedTemporaryFile",
        "tempfile.TemporaryFile",
    }
)
#: Functions whose errors are best ignored (an exception escaping __del__ or close helps no one),
#: and calls whose failure a clean-up may ignore.
CLEANUP_FUNCTIONS = frozenset(
    {"__del__", "__exit__", "__aexit__", "close", "aclose", "cleanup", "_cleanup", "shutdown", "dispose",
     "terminate", "kill", "release", "teardown", "tearDown", "stop", "_close", "_shutdown", "finalize"}
)  # fmt: skip
CLEANUP_CALLS = frozenset(
    {"close", "unlink", "remove", "rmdir", "rmtree", "kill", "terminate", "shutdown", "flush", "release",
     "cancel", "join", "wait", "unregister", "removeHandler", "cleanup", "stop", "disconnect", "aclose"}
)  # fmt: skip
#: Methods that close (or wait for) what an opener returned.
CLOSERS = frozenset(
    {
        "close",
        "wait",
        "communicate",
        "terminate",
        "kill",
        "shutdown",
        "release",
        "quit",
        "dispose",
        "__exit__",
    }
)
