import subprocess
from pathlib import Path

from flask import Flask, request, send_file

app = Flask(__name__)
UPLOADS = Path("/srv/uploads")


@app.post("/thumbnail")
def thumbnail():
    """Make a thumbnail of an uploaded image at the requested size."""
    name = request.form["name"]
    size = request.form.get("size", "200x200")
    src = UPLOADS / name
    dst = UPLOADS / f"thumb-{name}"
    subprocess.run(f"convert {src} -resize {size} {dst}", shell=True, check=True)
    return send_file(dst)
