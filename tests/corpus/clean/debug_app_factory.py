import os

from flask import Flask, jsonify

from .inventory import stock_levels


def create_app() -> Flask:
    """Build the stock API; debug mode only through FLASK_DEBUG in development."""
    app = Flask(__name__)
    app.config.from_prefixed_env()

    @app.get("/stock")
    def stock():
        return jsonify(stock_levels())

    @app.get("/health")
    def health():
        return {"status": "ok"}

    return app


if __name__ == "__main__":
    create_app().run(host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))
