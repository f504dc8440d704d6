import yaml
from flask import Flask, jsonify, request

app = Flask(__name__)
REQUIRED = ("name", "image", "replicas")


@app.post("/deployments/validate")
def validate_manifest():
    """Check an uploaded deployment manifest for the fields we need."""
    manifest = yaml.load(request.get_data(as_text=True), Loader=yaml.Loader)
    missing = [field for field in REQUIRED if field not in manifest]
    if missing:
        return jsonify({"valid": False, "missing": missing}), 422
    if not isinstance(manifest["replicas"], int) or manifest["replicas"] < 1:
        return jsonify({"valid": False, "error": "replicas must be a positive integer"}), 422
    return jsonify({"valid": True})
