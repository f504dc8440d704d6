from flask import Flask, jsonify

from .inventory import stock_levels

app = Flask(__name__)
app.config["DEBUG"] = True


@app.get("/stock")
def stock():
    """Current stock for every SKU."""
    return jsonify(stock_levels())


@app.get("/health")
def health():
    return {"status": "ok"}


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8000, debug=True)
