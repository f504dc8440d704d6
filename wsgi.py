"""gunicorn -c gunicorn.conf.py wsgi:app — the app is built in each worker after the fork."""

from cynic_app.wsgi import app

__all__ = ["app"]
