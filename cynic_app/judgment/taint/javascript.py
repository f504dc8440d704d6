"""What the flow engine knows about JavaScript and TypeScript, Node and the browser: sources,
sinks, sanitisers, propagators and object kinds, per CWE (the models are semgrep's JavaScript taint
rules and CodeQL's JavaScript data-flow libraries). Data only: jsflow.py reads it.

Module names are read as the code imports them, with ``node:`` dropped and ``/`` read as ``.``
(``require("fs/promises").readFile`` is ``fs.promises.readFile``; a default import is the module
itself: ``import merge from "lodash/merge"`` makes ``merge()`` a call of ``lodash.merge``).
"""

# ruff: noqa: E501 -- one entry per line reads as a table
from __future__ import annotations

from .python import PYTHON
from .spec import ALL, Kind, Sanitizer, Sink, Source, Tables
from .values import EXTERNAL, FILE, INPUT, LOCAL, RANDOM

# fmt: off
_CODE_AND_COMMANDS = frozenset({INPUT, LOCAL})
_REMOTE = frozenset({INPUT})
#: Fields and methods of a web request (Express, Fastify, Next, the fetch API's Request).
_REQUEST_FIELDS = ("query", "body", "params", "cookies", "headers", "url", "originalUrl", "path", "hostname", "host", "files", "file", "get", "header", "param", "baseUrl", "search", "searchParams", "nextUrl", "json", "text", "formData", "rawBody", "payload", "raw", "queryStringParameters", "pathParameters")
#: Koa's context: the request's fields are on it too.
_KOA_FIELDS = ("query", "params", "querystring", "path", "url", "originalUrl", "headers", "header", "cookies", "href", "host", "hostname", "search", "get")
_CHILD_SHELL = ("child_process.exec", "child_process.execSync", "shelljs.exec", "execa.command", "execa.commandSync", "execa.execaCommand", "execa.execaCommandSync")
_CHILD_PROGRAM = ("child_process.spawn", "child_process.spawnSync", "child_process.execFile", "child_process.execFileSync", "child_process.fork", "execa", "execa.execa", "execa.sync", "execa.execaSync", "cross-spawn", "cross-spawn.sync")
_FS_ONE_PATH = tuple(f"{m}.{f}" for m in ("fs", "fs.promises", "fs-extra", "graceful-fs") for f in (
    "readFile", "readFileSync", "writeFile", "writeFileSync", "appendFile", "appendFileSync", "createReadStream", "createWriteStream",
    "open", "openSync", "unlink", "unlinkSync", "rm", "rmSync", "rmdir", "rmdirSync", "mkdir", "mkdirSync", "readdir", "readdirSync",
    "stat", "statSync", "lstat", "lstatSync", "access", "accessSync", "exists", "existsSync", "chmod", "chmodSync", "chown", "chownSync",
    "truncate", "truncateSync", "utimes", "readlink", "realpath", "realpathSync", "opendir", "watch", "remove", "removeSync",
    "outputFile", "outputFileSync", "readJson", "readJsonSync", "writeJson", "writeJsonSync", "ensureDir", "emptyDir"))
_FS_TWO_PATHS = tuple(f"{m}.{f}" for m in ("fs", "fs.promises", "fs-extra", "graceful-fs") for f in (
    "rename", "renameSync", "copyFile", "copyFileSync", "link", "linkSync", "symlink", "symlinkSync", "cp", "cpSync", "copy", "copySync", "move", "moveSync"))
_DB_LIBRARIES = ("pg", "mysql", "mysql2", "sqlite3", "better-sqlite3", "sqlite", "knex", "sequelize", "typeorm", "mssql", "oracledb", "mariadb", "pg-promise", "postgres", "@prisma", "slonik", "tedious")
_MONGO_LIBRARIES = ("mongoose", "mongodb", "monk", "mongojs")
_DOM_SOURCES = ("location", "window.location", "document.location", "document.URL", "document.documentURI", "document.referrer", "document.baseURI", "window.name", "self.location", "top.location")

SOURCES = (
    # Web frameworks: the request a handler is given (by its parameter's name: jsflow.py).
    Source(INPUT, methods=_REQUEST_FIELDS, on="request"),
    Source(INPUT, methods=_KOA_FIELDS, on="koa-context"),
    Source(INPUT, methods=("data",), on="message-event"),
    # The browser: the page's address and what another window posts.
    Source(INPUT, attrs=_DOM_SOURCES),
    # The command line and the environment: the person or job running the program.
    Source(LOCAL, attrs=("process.argv", "process.env")),
    Source(LOCAL, calls=("prompt", "window.prompt", "readline-sync.question")),
    # Data from elsewhere: files (trusted by most sinks, not by deserialisers).
    Source(FILE, calls=tuple(f"{m}.{f}" for m in ("fs", "fs.promises", "fs-extra") for f in ("readFile", "readFileSync", "readJson", "readJsonSync"))),
    Source(EXTERNAL, methods=("json", "text"), on="fetch-response"),
    # Predictable numbers: only what must be unguessable cares.
    Source(RANDOM, calls=("Math.random", "crypto.pseudoRandomBytes")),
)

KINDS = (
    Kind("request", methods=("request",), on="koa-context"),
    Kind("response", methods=("status", "type", "set", "header", "cookie", "clearCookie", "append", "vary", "location", "contentType", "code", "headers", "links", "attachment"), on="response"),
    Kind("process-output", calls=_CHILD_SHELL + _CHILD_PROGRAM),
    Kind("file", calls=("fs.createReadStream", "fs.createWriteStream", "fs.openSync", "fs.promises.open", "fs.open")),
    Kind("fetch-response", calls=("fetch", "node-fetch", "window.fetch")),
    # What a database returns is its rows, not the query's values (rows are stored data: trusted
    # by these sinks, as a file is).
    Kind("db-rows", methods=("findOne", "findById", "findByPk", "findAll", "findAndCountAll", "findUnique", "findFirst", "findMany", "countDocuments", "findOneAndUpdate", "findOneAndDelete", "execute", "query"), on=""),
)

#: Calls whose result is a handle on something, not the data they were given: a child process
#: started with the input does not print the input.
HANDLES = ("process-output", "file", "fetch-response", "db-rows")

#: Calls through which taint passes as through the language itself.
PROPAGATORS = ("path.join", "path.resolve", "path.normalize", "path.posix.join", "path.win32.join", "url.parse", "url.resolve", "URL", "URLSearchParams", "querystring.parse", "qs.parse", "Buffer.from", "JSON.parse", "decodeURIComponent", "decodeURI", "unescape", "atob", "btoa", "String", "Array.from", "Array.of", "Object.assign", "Object.values", "Object.entries", "Object.keys", "Object.fromEntries", "structuredClone", "util.format", "Promise.resolve", "Promise.all", "Set", "Map")

SINKS = (
    # CWE-78: OS commands (a shell: any built command; otherwise the program itself).
    Sink("shell-injection", calls=_CHILD_SHELL, args=(0,), labels=_CODE_AND_COMMANDS, param_built=True),
    Sink("shell-injection", calls=_CHILD_PROGRAM, args=(0,), labels=_CODE_AND_COMMANDS),
    Sink("shell-injection", calls=_CHILD_PROGRAM, args=(0, 1), when=(("shell", True),), labels=_CODE_AND_COMMANDS, param_built=True),
    # CWE-94: code.
    Sink("code-injection", calls=("mathjs.eval", "mathjs.evaluate", "eval", "window.eval", "globalThis.eval", "Function", "vm.runInContext", "vm.runInNewContext", "vm.runInThisContext", "vm.Script", "vm.compileFunction", "vm2.VM.run", "execScript"), args=(0, 1, 2, 3, 4), labels=_CODE_AND_COMMANDS, possible="any"),
    Sink("code-injection", calls=("setTimeout", "setInterval", "setImmediate", "window.setTimeout", "window.setInterval"), args=(0,), labels=_CODE_AND_COMMANDS),
    Sink("code-injection", methods=("run", "runInContext", "runInNewContext"), on="vm-script", args=(0,), labels=_CODE_AND_COMMANDS),
    Sink("code-injection", calls=("require", "import"), args=(0,), labels=_REMOTE),
    # CWE-1336: templates compiled from input.
    Sink("template-injection", calls=("lodash.template", "underscore.template", "ejs.render", "ejs.compile", "pug.compile", "pug.render", "jade.compile", "handlebars.compile", "Handlebars.compile", "nunjucks.renderString", "mustache.render", "dot.template", "doT.template", "hogan.js.compile"), args=(0,), labels=_REMOTE),
    # CWE-89: SQL built into text; any value for the query methods of a database library.
    Sink("sql-injection", methods=("query", "execute", "raw", "exec", "prepare", "all", "get", "run", "each", "none", "one", "many", "any", "oneOrNone", "manyOrNone", "unsafe", "$queryRawUnsafe", "$executeRawUnsafe", "whereRaw", "orWhereRaw", "havingRaw", "orderByRaw", "groupByRaw", "joinRaw", "fromRaw", "selectRaw"), args=(0,), labels=_CODE_AND_COMMANDS, param_built=True, text="sql"),
    Sink("sql-injection", methods=("query", "execute", "raw", "unsafe", "$queryRawUnsafe", "$executeRawUnsafe", "whereRaw", "orWhereRaw", "havingRaw", "orderByRaw", "groupByRaw", "joinRaw"), args=(0,), imports=_DB_LIBRARIES),
    Sink("sql-injection", methods=("where", "andWhere", "orWhere", "having", "andHaving", "orHaving", "orderBy", "addOrderBy", "groupBy", "addGroupBy", "select", "addSelect", "setParameters"), args=(0,), imports=("typeorm", "knex", "sequelize", "@mikro-orm", "objection"), text="built"),
    Sink("sql-injection", calls=("sequelize.literal", "knex.raw", "Sequelize.literal"), args=(0,), text="sql"),
    # CWE-22: file paths.
    Sink("path-traversal", calls=_FS_ONE_PATH, args=(0,)),
    Sink("path-traversal", calls=_FS_TWO_PATHS, args=(0, 1)),
    # with a root option, Express's send refuses a path that leaves the root
    Sink("path-traversal", methods=("sendFile", "download", "sendfile"), on="response", args=(0,), safe_with=(1, "root", "")),
    # CWE-79: HTML.
    Sink("xss", props=("innerHTML", "outerHTML")),
    Sink("xss", props=("dangerouslySetInnerHTML",), param_any=True),
    Sink("xss", props=("body",), on="koa-context"),
    Sink("xss", calls=("document.write", "document.writeln", "window.document.write"), args=(0, 1, 2)),
    Sink("xss", methods=("insertAdjacentHTML",), args=(1,)),
    Sink("xss", methods=("send", "write", "end"), on="response", args=(0,)),
    Sink("xss", methods=("html", "append", "prepend", "after", "before", "replaceWith", "wrap"), imports=("jquery",), args=(0,)),
    Sink("xss", calls=("$", "jQuery", "jquery"), args=(0,)),
    Sink("xss", methods=("bypassSecurityTrustHtml", "bypassSecurityTrustScript", "bypassSecurityTrustUrl", "bypassSecurityTrustResourceUrl", "bypassSecurityTrustStyle"), args=(0,)),
    # CWE-601: redirects.
    Sink("open-redirect", methods=("redirect", "location"), on="response", args=(0, 1)),
    Sink("open-redirect", methods=("redirect",), on="koa-context", args=(0,)),
    Sink("open-redirect", calls=("next.server.NextResponse.redirect", "next.navigation.redirect", "next.navigation.permanentRedirect"), args=(0,)),
    Sink("open-redirect", calls=("location.assign", "location.replace", "window.location.assign", "window.location.replace", "window.open", "document.location.assign"), args=(0,)),
    Sink("open-redirect", props=("location", "location.href", "window.location", "window.location.href", "document.location", "document.location.href")),
    # CWE-918: requests to a URL.
    Sink("ssrf", calls=("fetch", "axios", "axios.get", "axios.post", "axios.put", "axios.delete", "axios.request", "node-fetch", "got", "got.get", "got.post", "request", "request.get", "needle", "superagent.get", "http.get", "https.get", "http.request", "https.request", "undici.request", "undici.fetch"), args=(0,), labels=_REMOTE),
    # CWE-502: deserialisers that run code.
    Sink("unsafe-deserialisation", calls=("node-serialize.unserialize", "serialize-to-js.deserialize", "funcster.deepDeserialize", "cryo.parse"), args=(0,), labels=frozenset({INPUT, EXTERNAL, FILE}), param_any=True),
    # CWE-943: query operators (``{"$ne": null}``) from a request body or query string.
    Sink("nosql-injection", methods=("find", "findOne", "findOneAndUpdate", "findOneAndDelete", "findOneAndRemove", "findOneAndReplace", "updateOne", "updateMany", "deleteOne", "deleteMany", "countDocuments", "count", "where", "aggregate", "distinct", "remove", "update", "replaceOne", "exists"), args=(0,), imports=_MONGO_LIBRARIES, labels=_REMOTE),
    # CWE-347: tokens decoded without checking their signature.
    Sink("jwt-unverified", calls=("jsonwebtoken.decode", "jwt-decode", "jose.decodeJwt", "jwt-simple.decode"), args=(0,), labels=_REMOTE),
    # CWE-1333: patterns from input.
    Sink("regex-injection", calls=("RegExp",), args=(0,), labels=_REMOTE),
    # CWE-611: libxml told to substitute entities.
    Sink("xxe", calls=("libxmljs.parseXml", "libxmljs.parseXmlString", "libxmljs2.parseXml", "libxmljs2.parseXmlString", "libxmljs.parseXmlAsync"), args=(0,), when=(("noent", True),)),
    # CWE-1321: objects merged deep from input (``{"__proto__": {...}}`` reaches Object.prototype).
    Sink("prototype-pollution", calls=("lodash.merge", "lodash.mergeWith", "lodash.defaultsDeep", "lodash.set", "lodash.setWith", "lodash.zipObjectDeep", "lodash.merge.merge", "jquery.extend", "$.extend", "deep-extend", "merge-deep", "mixin-deep", "defaults-deep", "dot-prop.setProperty", "dot-prop.set", "object-path.set", "set-value", "dset", "dset.dset", "assign-deep", "merge-options"), args=(1, 2, 3)),
    Sink("prototype-pollution", calls=("deepmerge", "deepmerge.all", "hoek.merge", "@hapi.hoek.merge"), args=(0, 1)),
)

SANITIZERS = (
    Sanitizer(ALL, calls=("parseInt", "parseFloat", "Number", "Boolean", "Math.*", "isNaN", "isFinite", "Number.parseInt", "Number.parseFloat", "Number.isInteger", "Number.isFinite", "Number.isNaN", "Number.isSafeInteger", "Date.parse", "Array.isArray", "BigInt", "crypto.timingSafeEqual", "bcrypt.compare", "bcrypt.hash", "uuid.validate", "path.extname", "Buffer.byteLength")),
    Sanitizer(ALL, methods=("digest", "indexOf", "lastIndexOf", "includes", "startsWith", "endsWith", "test", "has", "hasOwnProperty", "localeCompare", "getTime", "toFixed", "isValid", "isInteger", "compare")),
    Sanitizer(frozenset({79, 601, 918}), calls=("encodeURIComponent",)),
    Sanitizer(frozenset({79}), calls=("encodeURI", "escape", "escape-html", "he.encode", "he.escape", "lodash.escape", "underscore.escape", "validator.escape", "DOMPurify.sanitize", "dompurify.sanitize", "isomorphic-dompurify.sanitize", "sanitize-html", "xss", "xss.filterXSS", "Handlebars.escapeExpression", "JSON.stringify", "htmlspecialchars", "entities.encode", "entities.encodeHTML")),
    Sanitizer(frozenset({78}), calls=("shell-quote.quote", "shescape.quote", "shescape.escape", "shell-escape", "any-shell-escape")),
    Sanitizer(frozenset({22}), calls=("path.basename", "sanitize-filename", "path.posix.basename", "path.win32.basename")),
    Sanitizer(frozenset({89}), calls=("mysql.escape", "mysql.format", "mysql2.escape", "mysql2.format", "sqlstring.escape", "sqlstring.format", "pg-format", "pg.escapeLiteral", "pg.escapeIdentifier")),
    Sanitizer(frozenset({943, 1321}), calls=("String", "mongo-sanitize", "express-mongo-sanitize.sanitize", "mongoose.Types.ObjectId", "mongodb.ObjectId")),
    Sanitizer(frozenset({943, 1321}), methods=("toString", "toLowerCase", "toUpperCase", "trim", "join", "toISOString")),
    # Helpers a project writes for itself: their name says what they do.
    Sanitizer(frozenset({79, 89, 90, 643, 78, 94, 943, 1333, 1321}), name_parts=("escape", "sanitiz", "sanitis", "purify")),
    Sanitizer(frozenset({78, 89}), name_parts=("quote",)),
)

#: Predicates that, when true, leave the value they are asked of safe for the CWEs given.
CHECKS = {"startsWith": frozenset({22}), "match": ALL, "isInteger": ALL, "isSafeInteger": ALL, "isFinite": ALL}

#: Handler parameters, by name, and what they are (jsflow.py decides which functions handle).
PARAM_KINDS = (("req", "request"), ("request", "request"), ("res", "response"), ("response", "response"), ("reply", "response"), ("ctx", "koa-context"), ("context", "koa-context"))
#: Callbacks whose first parameter is an object of a kind (or input itself).
CALLBACK_PARAMS = (("addEventListener", "message", "message-event"), ("on", "message", INPUT), ("onmessage", "", "message-event"))
#: A module that imports one of these serves the web: a parameter named req is the request.
WEB_FRAMEWORKS = ("express", "koa", "@koa", "koa-router", "fastify", "next", "@hapi", "hapi", "restify", "polka", "micro", "@nestjs", "hono", "h3", "@vercel", "@netlify", "aws-lambda", "@sveltejs", "@remix-run")
# fmt: on

JAVASCRIPT = Tables(
    sources=SOURCES,
    sinks=SINKS,
    sanitizers=SANITIZERS,
    kinds=KINDS,
    flags=(),
    checks=CHECKS,
    view_decorators=("Get", "Post", "Put", "Patch", "Delete", "All"),
    request_first=WEB_FRAMEWORKS,
    web_frameworks=WEB_FRAMEWORKS,
    handles=HANDLES,
    propagators=PROPAGATORS,
    noreturn=(),
    secretish=PYTHON.secretish,  # the same words name secrets in both languages
    param_kinds=PARAM_KINDS,
    callback_params=CALLBACK_PARAMS,
)
