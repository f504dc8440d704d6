import base64
import pickle

from flask import Flask, request

app = Flask(__name__)


def load_cart(cookie: str) -> dict:
    """The cart is kept client-side in a cookie to avoid server state."""
    return pickle.loads(base64.b64decode(cookie))


def dump_cart(cart: dict) -> str:
    return base64.b64encode(pickle.dumps(cart)).decode()


@app.post("/cart/add")
def add_to_cart():
    cart = load_cart(request.cookies.get("cart", dump_cart({})))
    sku = request.form["sku"]
    cart[sku] = cart.get(sku, 0) + 1
    resp = app.make_response({"items": sum(cart.values())})
    resp.set_cookie("cart", dump_cart(cart), httponly=True, secure=True)
    return resp
