import hashlib
import hmac

from flask import Flask, abort, request

app = Flask(__name__)
app.config.from_prefixed_env()


@app.post("/hooks/github")
def github_hook():
    """Accept a GitHub webhook after checking its signature."""
    body = request.get_data()
    expected = "sha256=" + hmac.new(
        app.config["GITHUB_WEBHOOK_SECRET"].encode(), body, hashlib.sha256
    ).hexdigest()
    signature = request.headers.get("X-Hub-Signature-256", "")
    if signature != expected:
        abort(403)
    event = request.headers.get("X-GitHub-Event", "ping")
    app.logger.info("github event %s", event)
    return {"ok": True}
