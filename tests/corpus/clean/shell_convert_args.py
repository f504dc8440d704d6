import re
import subprocess
from pathlib import Path

from flask import Flask, abort, request, send_file
from werkzeug.utils import secure_filename

app = Flask(__name__)
UPLOADS = Path("/srv/uploads")
SIZE_RE = re.compile(r"\d{1,4}x\d{1,4}")


@app.post("/thumbnail")
def thumbnail():
    """Make a thumbnail of an uploaded image at the requested size."""
    name = secure_filename(request.form["name"])
    size = request.form.get("size", "200x200")
    if not name or not SIZE_RE.fullmatch(size):
        abort(400)
    src = UPLOADS / name
    dst = UPLOADS / f"thumb-{name}"
    subprocess.run(["convert", str(src), "-resize", size, str(dst)], check=True, timeout=30)
    return send_file(dst)
