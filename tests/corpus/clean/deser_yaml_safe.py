import yaml
from flask import Flask, jsonify, request

app = Flask(__name__)
REQUIRED = ("name", "image", "replicas")


@app.post("/deployments/validate")
def validate_manifest():
    """Check an uploaded deployment manifest for the fields we need."""
    try:
        manifest = yaml.safe_load(request.get_data(as_text=True))
    except yaml.YAMLError as exc:
        return jsonify({"valid": False, "error": f"not YAML: {exc}"}), 400
    if not isinstance(manifest, dict):
        return jsonify({"valid": False, "error": "expected a mapping"}), 422
    missing = [field for field in REQUIRED if field not in manifest]
    if missing:
        return jsonify({"valid": False, "missing": missing}), 422
    return jsonify({"valid": True})
