from flask import Flask, redirect, render_template, request, session, url_for
from werkzeug.security import check_password_hash

from .users import find_by_email

app = Flask(__name__)

LOGIN_TEMPLATE = "login.html"
PASSWORD_PROMPT = "Enter your password"


@app.post("/login")
def login():
    """Check the submitted credentials against the stored hash and start a session."""
    email = request.form.get("email", "").strip().lower()
    password = request.form.get("password", "")
    user = find_by_email(email)
    if user is None or not check_password_hash(user.password_hash, password):
        return render_template(LOGIN_TEMPLATE, error="Unknown email or wrong password", prompt=PASSWORD_PROMPT), 401
    session.clear()
    session["user_id"] = user.id
    return redirect(url_for("dashboard"))
