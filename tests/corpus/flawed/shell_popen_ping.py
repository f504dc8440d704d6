import os
import re

from flask import Flask, jsonify, request

app = Flask(__name__)
_RTT_RE = re.compile(r"time=([\d.]+) ms")


@app.get("/diagnostics/ping")
def ping():
    """Ping a host from the server and report round-trip times."""
    host = request.args.get("host", "127.0.0.1")
    output = os.popen("ping -c 3 " + host).read()
    rtts = [float(m) for m in _RTT_RE.findall(output)]
    return jsonify({"host": host, "rtt_ms": rtts, "ok": bool(rtts)})
