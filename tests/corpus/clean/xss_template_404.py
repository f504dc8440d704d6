from flask import Flask, render_template_string, request

app = Flask(__name__)

NOT_FOUND = """
<html><body>
  <h2>Sorry, {{ path }} was not found.</h2>
  <a href="/">Back home</a>
</body></html>
"""


@app.errorhandler(404)
def not_found(error):
    """A friendly 404 that echoes the path, escaped by the template engine."""
    return render_template_string(NOT_FOUND, path=request.path), 404
