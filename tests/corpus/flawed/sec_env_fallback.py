import os

import jwt
from flask import Flask, abort, request

app = Flask(__name__)
JWT_SECRET = os.environ.get("JWT_SECRET", "dev-secret-do-not-use-7731")


def current_user_id() -> int:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        abort(401)
    try:
        claims = jwt.decode(token, JWT_SECRET, algorithms=["HS256"])
    except jwt.InvalidTokenError:
        abort(401)
    return int(claims["sub"])


@app.get("/me")
def me():
    return {"user_id": current_user_id()}
