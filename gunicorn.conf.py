"""gunicorn -c gunicorn.conf.py wsgi:app — settings and hooks live in cynic_app.gunicorn_conf."""

from cynic_app.gunicorn_conf import *  # noqa: F403  (gunicorn reads settings and hooks by name)
