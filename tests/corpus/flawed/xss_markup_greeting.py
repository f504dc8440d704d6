from flask import Flask, render_template_string, request
from markupsafe import Markup

app = Flask(__name__)

PAGE = """
<!doctype html>
<title>Welcome</title>
<h1>{{ greeting }}</h1>
"""


@app.get("/welcome")
def welcome():
    """Greet the visitor by the name in the query string."""
    name = request.args.get("name", "friend")
    greeting = Markup(f"Hello, <b>{name}</b>!")
    return render_template_string(PAGE, greeting=greeting)
