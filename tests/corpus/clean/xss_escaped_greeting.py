from flask import Flask, render_template_string, request

app = Flask(__name__)

PAGE = """
<!doctype html>
<title>Welcome</title>
<h1>Hello, <b>{{ name }}</b>!</h1>
"""


@app.get("/welcome")
def welcome():
    """Greet the visitor by the name in the query string (autoescaped by Jinja)."""
    name = request.args.get("name", "friend")[:80]
    return render_template_string(PAGE, name=name)
