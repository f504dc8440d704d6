import json

from flask import Flask, request
from itsdangerous import BadSignature, URLSafeSerializer

app = Flask(__name__)
app.config.from_prefixed_env()


def serializer() -> URLSafeSerializer:
    return URLSafeSerializer(app.config["SECRET_KEY"], salt="cart")


def load_cart(cookie: str | None) -> dict[str, int]:
    """The cart lives in a signed JSON cookie: tampering is detected, nothing is executed."""
    if not cookie:
        return {}
    try:
        cart = serializer().loads(cookie)
    except BadSignature:
        return {}
    return {str(k): int(v) for k, v in cart.items()}


@app.post("/cart/add")
def add_to_cart():
    cart = load_cart(request.cookies.get("cart"))
    sku = request.form["sku"]
    cart[sku] = cart.get(sku, 0) + 1
    resp = app.make_response(json.dumps({"items": sum(cart.values())}))
    resp.set_cookie("cart", serializer().dumps(cart), httponly=True, secure=True)
    return resp
