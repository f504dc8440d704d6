"""What the flow engine knows about Python and its frameworks: sources, sinks, sanitisers,
propagators, object kinds and flags, per CWE (the models are semgrep's taint rules and CodeQL's
Python data-flow libraries: remote input is trusted by no sink; the console and the command line
only matter where they reach code, commands or queries). Data only: pyflow.py reads it.
"""

# ruff: noqa: E501 -- one entry per line reads as a table
from __future__ import annotations

from .spec import ALL, ANY, Flag, Kind, Sanitizer, Sink, Source, Tables
from .values import EXTERNAL, FILE, INPUT, LOCAL, RANDOM

# fmt: off
_HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "request")
#: Fields of a web request: distinctive ones anywhere, ambiguous ones (other requests have a url)
#: only in a module that imports a web framework.
_REQUEST_FIELDS = ("GET", "POST", "COOKIES", "META", "FILES", "query_params", "cookies", "args", "form", "values", "path_params", "match_info", "forms", "files", "query_string", "get_json", "get_data", "full_path", "path_info", "raw_post_data")
_REQUEST_FIELDS_AMBIGUOUS = ("body", "data", "headers", "json", "query", "params", "stream", "read", "url", "path")
_SUBPROCESS = ("subprocess.call", "subprocess.run", "subprocess.Popen", "subprocess.check_call", "subprocess.check_output", "asyncio.create_subprocess_shell", "asyncio.create_subprocess_exec")
_PATH_FUNCTIONS = (
    "open", "builtins.open", "io.open", "codecs.open", "os.open", "os.remove", "os.unlink", "os.rmdir", "os.removedirs",
    "os.mkdir", "os.makedirs", "os.rename", "os.renames", "os.replace", "os.listdir", "os.scandir", "os.chmod", "os.chown",
    "os.truncate", "os.utime", "os.link", "os.symlink", "shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.copytree",
    "shutil.move", "shutil.rmtree", "shutil.chown", "flask.send_file", "fileinput.input", "tarfile.open", "zipfile.ZipFile",
    "aiofiles.open", "gzip.open", "bz2.open", "lzma.open", "io.FileIO", "django.http.FileResponse",
)
_PATH_METHODS = ("open", "read_text", "read_bytes", "write_text", "write_bytes", "unlink", "mkdir", "rmdir", "touch", "rename", "replace", "iterdir", "symlink_to", "chmod")
_FILE_OPENERS = ("open", "builtins.open", "io.open", "codecs.open", "gzip.open", "bz2.open", "lzma.open", "io.FileIO", "zipfile.ZipFile")
#: An archive carries the taint of the bytes it reads: its member names are the attacker's.
_TAR_OPENERS = ("tarfile.open", "tarfile.TarFile", "tarfile.TarFile.open")
_CODE_AND_COMMANDS = frozenset({INPUT, LOCAL})
_REMOTE = frozenset({INPUT})

SOURCES = (
    # Web frameworks: the request object, wherever it comes from.
    Source(INPUT, attrs=("flask.request", "quart.request", "bottle.request", "werkzeug.wrappers.Request"), except_attrs=("method", "endpoint", "blueprint", "scheme", "is_secure", "is_json", "content_length", "mimetype", "url_rule", "view_args_names", "environ_base", "max_content_length", "accept_mimetypes")),
    Source(INPUT, local_attrs=tuple(f"{r}.{a}" for r in ("request", "req", "self.request") for a in _REQUEST_FIELDS)),
    Source(INPUT, local_attrs=tuple(f"{r}.{a}" for r in ("request", "req", "self.request") for a in _REQUEST_FIELDS_AMBIGUOUS), web_only=True),
    Source(INPUT, methods=("recv", "recvfrom", "recv_into", "recvmsg", "makefile"), on="socket"),
    # The console and the command line: the person running the program.
    Source(LOCAL, calls=("input", "raw_input", "builtins.input", "fileinput.input", "sys.stdin.read", "sys.stdin.readline", "sys.stdin.readlines", "getpass.getpass")),
    Source(LOCAL, attrs=("sys.argv", "sys.stdin")),
    # Data read from outside the program: from the network and caches, and from files.
    Source(EXTERNAL, methods=("read", "readline", "readlines", "content", "json", "text", "get", "hget", "lpop", "rpop", "mget", "getvalue", "recv"), on="external"),
    Source(FILE, methods=("read", "readline", "readlines", "read_bytes", "read_text"), on="file"),
    Source(FILE, methods=("read_bytes", "read_text"), on="path"),
    Source(FILE, methods=("read_bytes", "read_text")),  # on any object of no known kind: pathlib's API
    # Predictable random numbers: only sinks that need an unguessable value care.
    Source(RANDOM, calls=tuple(f"random.{f}" for f in ("random", "randint", "randrange", "choice", "choices", "sample", "getrandbits", "randbytes", "uniform", "shuffle", "triangular", "gauss")) + ("numpy.random.*",)),
    Source(RANDOM, methods=("random", "randint", "randrange", "choice", "choices", "sample", "getrandbits", "randbytes", "uniform"), on="random"),
)

KINDS = (
    Kind("socket", calls=("socket.socket", "socket.create_connection", "socket.fromfd", "socket.socketpair")),
    Kind("socket", methods=("accept",), on="socket"),
    Kind("file", calls=_FILE_OPENERS),
    Kind("archive", calls=_TAR_OPENERS),
    Kind("external", calls=("urllib.request.urlopen", "requests.get", "requests.post", "requests.request", "httpx.get", "httpx.post", "redis.Redis", "redis.StrictRedis", "redis.from_url", "pymemcache.client.base.Client", "memcache.Client")),
    Kind("external", methods=("get", "post", "put", "request", "urlopen"), on="http-client"),
    Kind("http-client", calls=("requests.Session", "httpx.Client", "httpx.AsyncClient", "urllib3.PoolManager")),
    Kind("path", calls=("pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "pathlib.WindowsPath")),
    Kind("path", methods=("resolve", "absolute", "joinpath", "with_name", "with_suffix", "expanduser"), on="path"),
    Kind("random", calls=("random.Random",)),  # not SystemRandom: it reads os.urandom
    Kind("sax-parser", calls=("xml.sax.make_parser",)),
    Kind("lxml-parser", calls=("lxml.etree.XMLParser", "lxml.etree.XMLPullParser", "lxml.etree.HTMLParser")),
    Kind("etree", calls=("xml.etree.ElementTree.parse", "xml.etree.ElementTree.fromstring", "xml.etree.ElementTree.XML", "xml.etree.ElementTree.ElementTree", "xml.etree.ElementTree.Element", "lxml.etree.parse", "lxml.etree.fromstring", "lxml.etree.XML", "lxml.etree.ElementTree", "lxml.etree.Element", "defusedxml.ElementTree.parse", "defusedxml.ElementTree.fromstring", "defusedxml.lxml.parse", "defusedxml.lxml.fromstring")),
    Kind("etree", methods=("getroot", "find", "getroottree"), on="etree"),
    Kind("configparser", calls=("configparser.ConfigParser", "configparser.RawConfigParser", "configparser.SafeConfigParser")),
    Kind("response", calls=("flask.make_response", "flask.Response", "werkzeug.wrappers.Response", "django.http.HttpResponse", "starlette.responses.HTMLResponse", "fastapi.responses.HTMLResponse")),
    Kind("mongo", calls=("pymongo.MongoClient", "motor.motor_asyncio.AsyncIOMotorClient")),
    Kind("mongo", methods=("get_database", "get_collection", "__getitem__"), on="mongo"),
)

#: Calls whose result is a handle on something, not the data they were given: opening a file
#: named by the input does not put the input in the file.
HANDLES = ("file", "external", "http-client", "socket", "sax-parser", "lxml-parser", "configparser", "random", "mongo")

#: Calls through which taint passes as it is (not a hop of unknown code): parsing, decoding,
#: quoting for URLs, joining paths.
PROPAGATORS = ("urllib.parse.*", "base64.*", "codecs.decode", "codecs.encode", "html.unescape", "json.loads", "os.path.join", "os.path.normpath", "os.path.abspath", "os.path.realpath", "os.path.expanduser", "posixpath.join", "shlex.split", "str", "bytes", "bytearray", "repr", "format", "list", "tuple", "set", "dict", "sorted", "reversed", "pathlib.Path", "pathlib.PurePath", "binascii.*", "zlib.decompress", "gzip.decompress", "io.BytesIO", "io.StringIO", "email.message_from_string", "email.message_from_bytes", "ast.literal_eval", "typing.cast", "jwt.get_unverified_header", "jose.jwt.get_unverified_header", *_TAR_OPENERS)

FLAGS = (
    Flag("resolves-entities", methods=("setFeature",), on="sax-parser", arg_names=("xml.sax.handler.feature_external_ges", "xml.sax.handler.feature_external_pes"), value=True),
    Flag("resolves-entities", calls=("lxml.etree.XMLParser", "lxml.etree.XMLPullParser"), kwarg=("resolve_entities", True)),
    Flag("resolves-entities", calls=("lxml.etree.XMLParser", "lxml.etree.XMLPullParser"), kwarg=("no_network", False)),
)

SINKS = (
    # CWE-78: OS commands. The command line and the console count: a program run for others (a
    # service, a setuid tool, a CI job) hands them to a shell.
    Sink("shell-injection", calls=("os.system", "os.popen", "os.popen2", "os.popen3", "subprocess.getoutput", "subprocess.getstatusoutput", "commands.getoutput", "asyncio.create_subprocess_shell", "pty.spawn"), args=(0,), kwargs=("cmd", "command"), labels=_CODE_AND_COMMANDS, param_built=True, possible="any"),
    Sink("shell-injection", calls=_SUBPROCESS, args=(0,), kwargs=("args",), when=(("shell", True),), labels=_CODE_AND_COMMANDS, param_built=True, possible="any"),
    Sink("shell-injection", calls=_SUBPROCESS, args=(0,), kwargs=("args", "executable"), first_item=True),
    # os.exec*(path, argv or *args), os.spawn*(mode, path, argv or *args): the program, and a
    # shell's -c COMMAND among its arguments
    Sink("shell-injection", calls=("os.execv", "os.execve", "os.execvp", "os.execvpe", "os.posix_spawn", "os.posix_spawnp"), args=(0,), kwargs=("path", "file"), argv=(1, False)),
    Sink("shell-injection", calls=("os.execl", "os.execle", "os.execlp", "os.execlpe"), args=(0,), argv=(1, True)),
    Sink("shell-injection", calls=("os.spawnv", "os.spawnve", "os.spawnvp", "os.spawnvpe"), args=(1,), kwargs=("path", "file"), argv=(2, False)),
    Sink("shell-injection", calls=("os.spawnl", "os.spawnle", "os.spawnlp", "os.spawnlpe"), args=(1,), argv=(2, True)),
    Sink("shell-injection", methods=("exec_command",), args=(0,), kwargs=("command",), imports=("paramiko", "fabric"), labels=_CODE_AND_COMMANDS, param_built=True, possible="built"),
    # CWE-94: code, and templates (CWE-1336). Files count too: a directory of uploaded snippets.
    Sink("code-injection", calls=("eval", "exec", "builtins.eval", "builtins.exec", "execfile", "code.InteractiveInterpreter.runsource", "numexpr.evaluate", "pandas.eval"), args=(0,), kwargs=("source", "expression"), labels=frozenset({INPUT, LOCAL, EXTERNAL, FILE}), possible="any"),  # files: a directory of uploaded snippets
    Sink("template-injection", calls=("flask.render_template_string", "jinja2.Template", "jinja2.environment.Template", "mako.template.Template", "django.template.Template", "tornado.template.Template"), args=(0,), kwargs=("source", "text"), possible="any"),
    Sink("template-injection", methods=("from_string",), args=(0,), imports=("jinja2", "flask")),
    # CWE-89: SQL.
    Sink("sql-injection", methods=("execute", "executemany", "executescript", "exec_driver_sql", "mogrify", "raw"), args=(0,), kwargs=("sql", "query", "operation", "statement"), labels=_CODE_AND_COMMANDS, param_built=True, text="sql", possible="built"),
    Sink("sql-injection", methods=("fetch", "fetchrow", "fetchval"), args=(0,), kwargs=("query",), imports=("asyncpg", "databases"), labels=_CODE_AND_COMMANDS, param_built=True, text="sql", possible="built"),
    Sink("sql-injection", calls=("sqlalchemy.text", "sqlalchemy.sql.text", "sqlalchemy.sql.expression.text", "django.db.models.expressions.RawSQL", "django.db.models.RawSQL", "pandas.read_sql", "pandas.read_sql_query"), args=(0,), kwargs=("sql", "text"), labels=_CODE_AND_COMMANDS, param_built=True, text="sql", possible="built"),
    Sink("sql-injection", methods=("extra",), args=(), kwargs=("where", "select", "tables", "order_by"), imports=("django",)),
    # CWE-22: file paths, their existence included (a disclosure of its own).
    Sink("path-traversal", calls=_PATH_FUNCTIONS, args=(0,), kwargs=("file", "path", "filename", "name", "src", "dst", "path_or_file")),
    Sink("path-traversal", calls=("flask.send_from_directory", "werkzeug.utils.send_from_directory"), args=(0,), kwargs=("directory",)),
    Sink("path-traversal", methods=_PATH_METHODS, on="path", args=(), receiver=True),
    Sink("path-traversal", calls=("os.path.exists", "os.path.isfile", "os.path.isdir", "os.path.getsize", "os.path.getmtime", "os.stat", "os.lstat", "os.access"), args=(0,), kwargs=("path",)),
    Sink("path-traversal", methods=("exists", "is_file", "is_dir", "stat", "lstat"), on="path", args=(), receiver=True),
    Sink("path-traversal", methods=("extractall", "extract"), args=(0,), kwargs=("path",), imports=("tarfile", "zipfile")),
    # tar slip: a tar archive's member names ("../../etc/cron.d/x", links) say where it writes,
    # unless an extraction filter (3.12+, PEP 706) is given; zipfile cleans member names itself
    Sink("path-traversal", methods=("extractall", "extract"), on="archive", args=(), receiver=True, unless=(("filter", ANY),)),
    # CWE-643 and CWE-90: queries of XML documents and directories.
    Sink("xpath-injection", calls=("lxml.etree.XPath", "lxml.etree.ETXPath", "lxml.etree.XPathEvaluator"), args=(0,), kwargs=("path",), labels=_CODE_AND_COMMANDS, param_built=True, possible="built"),
    Sink("xpath-injection", calls=("elementpath.select", "elementpath.iter_select", "elementpath.Selector"), args=(1,), kwargs=("path",), labels=_CODE_AND_COMMANDS, param_built=True, possible="built"),
    Sink("xpath-injection", methods=("xpath", "find", "findall", "iterfind", "findtext"), on="etree", args=(0,), kwargs=("path", "_path"), labels=_CODE_AND_COMMANDS, param_built=True),
    Sink("xpath-injection", methods=("xpath",), args=(0,), kwargs=("_path",), imports=("lxml",), labels=_CODE_AND_COMMANDS, param_built=True),
    Sink("ldap-injection", methods=("search", "search_s", "search_st", "search_ext", "search_ext_s", "search_paged", "paged_search"), args=(1, 2), kwargs=("search_filter", "filterstr"), imports=("ldap3", "ldap"), labels=_CODE_AND_COMMANDS, param_built=True, possible="built"),
    # CWE-601: redirects.
    Sink("open-redirect", calls=("flask.redirect", "werkzeug.utils.redirect", "django.shortcuts.redirect", "django.http.HttpResponseRedirect", "django.http.HttpResponsePermanentRedirect", "starlette.responses.RedirectResponse", "fastapi.responses.RedirectResponse", "bottle.redirect"), args=(0,), kwargs=("location", "url", "to", "redirect_to")),
    # CWE-79: HTML. A response built from a tuple takes its body from the first item.
    Sink("xss", calls=("flask.make_response", "flask.Response", "werkzeug.wrappers.Response", "django.http.HttpResponse", "starlette.responses.HTMLResponse", "fastapi.responses.HTMLResponse"), args=(0,), kwargs=("response", "content"), first_item=True, declared=(("content_type", "mimetype", "media_type"), "html")),
    Sink("xss", calls=("markupsafe.Markup", "flask.Markup", "jinja2.Markup", "django.utils.safestring.mark_safe", "django.utils.html.format_html"), args=(0,), param_built=True, possible="built"),
    Sink("xss", methods=("write",), on="tornado-handler", args=(0,)),
    # CWE-918: requests to a URL.
    Sink("ssrf", calls=tuple(f"requests.{m}" for m in _HTTP_METHODS if m != "request") + tuple(f"httpx.{m}" for m in _HTTP_METHODS if m != "request") + ("urllib.request.urlopen", "urllib.request.Request", "urllib.urlopen", "urllib2.urlopen"), args=(0,), kwargs=("url",)),
    Sink("ssrf", calls=("requests.request", "httpx.request"), args=(1,), kwargs=("url",)),
    Sink("ssrf", methods=_HTTP_METHODS, on="http-client", args=(0,), kwargs=("url",)),
    # CWE-502: deserialisation. Data from the network or a shared cache is not to be trusted here,
    # nor what a public function is handed (it cannot know where its caller got it).
    Sink("unsafe-deserialisation", calls=("pickle.loads", "pickle.load", "pickle.Unpickler", "_pickle.loads", "cPickle.loads", "cPickle.load", "marshal.loads", "marshal.load", "dill.loads", "dill.load", "jsonpickle.decode", "shelve.open", "yaml.unsafe_load", "yaml.unsafe_load_all", "pandas.read_pickle", "joblib.load", "cloudpickle.loads"), args=(0,), kwargs=("data", "s", "file", "string"), labels=frozenset({INPUT, EXTERNAL, FILE}), param_any=True, possible="any"),
    Sink("unsafe-deserialisation", calls=("yaml.load", "yaml.load_all"), args=(0,), kwargs=("stream",), labels=frozenset({INPUT, EXTERNAL, FILE}), param_any=True, safe_with=(1, "Loader", "Safe"), possible="any"),
    # CWE-347: the token chooses how it is checked (RS256/HS256 confusion, "none")
    Sink("jwt-unverified", calls=("jwt.decode", "jwt.api_jwt.decode", "jose.jwt.decode", "jwt.decode_complete"), args=(), kwargs=("algorithms",)),
    # ML model files are pickles: torch.load unpickles unless told weights_only=True (the default
    # only from torch 2.6), numpy.load when allow_pickle=True. A checkpoint of one's own is common:
    # only data from the network counts.
    Sink("unsafe-deserialisation", calls=("torch.load",), args=(0,), kwargs=("f",), labels=frozenset({INPUT, EXTERNAL}), unless=(("weights_only", True),)),
    Sink("unsafe-deserialisation", calls=("numpy.load",), args=(0,), kwargs=("file",), labels=frozenset({INPUT, EXTERNAL}), when=(("allow_pickle", True),)),
    Sink("unsafe-deserialisation", calls=("yaml.full_load", "yaml.full_load_all"), args=(0,), kwargs=("stream",), labels=frozenset({INPUT, EXTERNAL, FILE})),
    # CWE-611: XML parsers told to resolve external entities, reading untrusted XML.
    Sink("xxe", calls=("xml.dom.minidom.parseString", "xml.dom.minidom.parse", "xml.dom.pulldom.parseString", "xml.dom.pulldom.parse", "lxml.etree.fromstring", "lxml.etree.parse", "lxml.etree.XML", "lxml.etree.iterparse"), args=(0,), needs_flag=(1, "resolves-entities")),
    Sink("xxe", calls=("lxml.etree.fromstring", "lxml.etree.parse", "lxml.etree.XML"), args=(0,), kwargs=("source", "text"), needs_flag=("parser", "resolves-entities")),
    Sink("xxe", methods=("parse", "feed", "parseString"), on="sax-parser", args=(0,), needs_flag=("receiver", "resolves-entities")),
    Sink("xxe", methods=("feed",), on="lxml-parser", args=(0,), needs_flag=("receiver", "resolves-entities")),
    # CWE-943, CWE-1333, CWE-470.
    Sink("nosql-injection", methods=("find", "find_one", "find_one_and_update", "find_one_and_delete", "update_one", "update_many", "delete_one", "delete_many", "aggregate", "count_documents", "distinct"), args=(0,), kwargs=("filter",), imports=("pymongo", "motor", "mongoengine"), labels=_REMOTE),
    Sink("regex-injection", calls=("re.compile", "re.match", "re.search", "re.fullmatch", "re.findall", "re.finditer", "re.sub", "re.subn", "re.split", "regex.compile"), args=(0,), kwargs=("pattern",)),
    Sink("unsafe-reflection", calls=("importlib.import_module", "__import__", "builtins.__import__"), args=(0,), kwargs=("name",)),
)

SANITIZERS = (
    Sanitizer(ALL, calls=("int", "float", "bool", "complex", "len", "abs", "round", "ord", "hash", "id", "isinstance", "callable", "uuid.UUID", "decimal.Decimal", "datetime.date", "datetime.datetime", "datetime.datetime.fromisoformat", "datetime.date.fromisoformat", "math.floor", "math.ceil", "flask.url_for", "django.urls.reverse", "os.path.exists", "os.path.isfile", "os.path.isdir", "os.path.getsize", "os.path.getmtime", "hmac.compare_digest", "secrets.compare_digest", "type", "bytes.fromhex", "ipaddress.ip_address", "ipaddress.ip_network")),
    Sanitizer(ALL, methods=("hexdigest", "digest", "isdigit", "isalnum", "isalpha", "isnumeric", "isdecimal", "isidentifier", "startswith", "endswith", "count", "index", "find", "rfind", "__len__", "bit_length", "exists", "is_file", "is_dir", "stat")),
    # Templates that escape what they are given, and answers that are not HTML (a redirect, JSON).
    Sanitizer(frozenset({79}), calls=("flask.render_template", "flask.render_template_string", "quart.render_template", "flask.send_file", "flask.send_from_directory", "flask.abort", "werkzeug.utils.send_file", "django.shortcuts.render", "django.template.loader.render_to_string", "flask.redirect", "werkzeug.utils.redirect", "django.shortcuts.redirect", "django.http.HttpResponseRedirect", "django.http.JsonResponse", "starlette.responses.JSONResponse", "starlette.responses.RedirectResponse", "bottle.template")),
    Sanitizer(frozenset({79}), calls=("html.escape", "cgi.escape", "markupsafe.escape", "flask.escape", "jinja2.escape", "django.utils.html.escape", "django.utils.html.strip_tags", "bleach.clean", "bleach.linkify", "flask.jsonify", "json.dumps", "xml.sax.saxutils.escape", "xml.sax.saxutils.quoteattr", "urllib.parse.quote", "urllib.parse.quote_plus", "urllib.parse.urlencode")),
    Sanitizer(frozenset({78}), calls=("shlex.quote", "pipes.quote", "shlex.join")),
    Sanitizer(frozenset({22}), calls=("werkzeug.utils.secure_filename", "os.path.basename", "pathvalidate.sanitize_filename", "django.utils.text.get_valid_filename")),
    Sanitizer(frozenset({1333}), calls=("re.escape", "regex.escape")),
    Sanitizer(frozenset({90}), calls=("ldap3.utils.conv.escape_filter_chars", "ldap.filter.escape_filter_chars", "ldap.dn.escape_dn_chars", "ldap3.utils.dn.escape_rdn")),
    Sanitizer(frozenset({89}), calls=("psycopg.sql.Identifier", "psycopg.sql.Literal", "psycopg2.sql.Identifier", "psycopg2.sql.Literal", "psycopg2.extensions.quote_ident", "MySQLdb.escape_string", "pymysql.converters.escape_string")),
    Sanitizer(frozenset({601, 918}), calls=("django.utils.http.url_has_allowed_host_and_scheme", "django.utils.http.is_safe_url")),
    # Helpers a project writes for itself: their name says what they do.
    Sanitizer(frozenset({79, 89, 90, 643, 78, 94}), name_parts=("escape", "sanitiz", "sanitis")),
    Sanitizer(frozenset({78, 89}), name_parts=("quote",)),
)

#: String predicates that, when true, leave the value safe for the CWEs given.
CHECKS = {
    "isdigit": ALL, "isnumeric": ALL, "isdecimal": ALL, "isalnum": ALL, "isalpha": ALL, "isidentifier": ALL,
    "fullmatch": ALL, "match": ALL, "is_relative_to": frozenset({22}), "startswith": frozenset({22}),
}

VIEW_DECORATORS = ("route", "get", "post", "put", "patch", "delete", "api_view", "view_config", "expose", "websocket", "errorhandler", "app_errorhandler")
#: Frameworks whose views take the request as their first argument (a parameter named request).
REQUEST_FIRST = ("django", "rest_framework", "pyramid")
#: A module that imports one of these serves the web: a local named request is the request.
WEB_FRAMEWORKS = ("flask", "django", "rest_framework", "starlette", "fastapi", "bottle", "pyramid", "tornado", "aiohttp", "werkzeug", "quart", "falcon", "sanic")
# fmt: on

PYTHON = Tables(
    sources=SOURCES,
    sinks=SINKS,
    sanitizers=SANITIZERS,
    kinds=KINDS,
    flags=FLAGS,
    checks=CHECKS,
    view_decorators=VIEW_DECORATORS,
    request_first=REQUEST_FIRST,
    web_frameworks=WEB_FRAMEWORKS,
    handles=HANDLES,
    propagators=PROPAGATORS,
    noreturn=(
        "flask.abort",
        "quart.abort",
        "werkzeug.exceptions.abort",
        "bottle.abort",
        "sys.exit",
        "exit",
        "quit",
        "os._exit",
        "os.abort",
        "pytest.fail",
        "pytest.skip",
    ),
    numeric_attrs=frozenset(
        (
            "returncode",  # subprocess.CompletedProcess, Popen
            "pid",
            "status_code",  # requests, httpx, Django and Starlette responses
            "errno",
            "st_size",  # os.stat_result
            "st_mtime",
            "st_mode",
            "lineno",
        )
    ),
    runners={
        **dict.fromkeys(
            ("sh", "bash", "rbash", "zsh", "ksh", "mksh", "dash", "ash", "fish", "csh", "tcsh", "su"),
            frozenset({"-c"}),
        ),
        **dict.fromkeys(("python", "py", "pypy"), frozenset({"-c"})),
        **dict.fromkeys(
            ("perl", "ruby", "node", "nodejs", "lua", "julia", "osascript", "rscript"), frozenset({"-e"})
        ),
        "perl": frozenset({"-e", "-E"}),
        "node": frozenset({"-e", "-p", "--eval", "--print"}),
        "nodejs": frozenset({"-e", "-p", "--eval", "--print"}),
        "php": frozenset({"-r"}),
        "cmd": frozenset({"/c", "/C", "/k", "/K"}),
        **dict.fromkeys(
            ("powershell", "pwsh"),
            frozenset({"-c", "-Command", "-command", "-e", "-ec", "-EncodedCommand", "-encodedcommand"}),
        ),
    },
    unknown_runner_flags=frozenset({"-c", "/c", "/C"}),
    wrappers={
        "env": 0,
        "sudo": 0,
        "doas": 0,
        "nice": 0,
        "nohup": 0,
        "setsid": 0,
        "stdbuf": 0,
        "busybox": 0,
        "timeout": 1,
    },
    secretish=(
        "token",
        "passw",
        "secret",
        "nonce",
        "salt",
        "otp",
        "csrf",
        "session",
        "apikey",
        "api_key",
        "auth",
        "cookie",
        "reset",
        "verif",
        "remember",
    ),
)
