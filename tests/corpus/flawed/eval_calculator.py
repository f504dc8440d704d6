from decimal import Decimal

from flask import Flask, jsonify, request

app = Flask(__name__)
ALLOWED = set("0123456789+-*/(). ")


@app.post("/quote/discount")
def discount():
    """Apply a pricing formula (entered by sales staff) to a list price."""
    formula = request.json["formula"]
    price = Decimal(str(request.json["price"]))
    if len(formula) > 200:
        return jsonify({"error": "formula too long"}), 400
    value = eval(formula, {"price": price, "Decimal": Decimal})
    return jsonify({"price": str(price), "discounted": str(value)})
