from flask import Flask, request, render_template_string

app = Flask(__name__)


@app.errorhandler(404)
def not_found(error):
    """A friendly 404 that echoes the path the visitor asked for."""
    template = f"""
    <html><body>
      <h2>Sorry, {request.path} was not found.</h2>
      <a href="/">Back home</a>
    </body></html>
    """
    return render_template_string(template), 404
