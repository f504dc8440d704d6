"""gunicorn -c gunicorn.conf.py wsgi:app — settings and hooks live in cynic_app.gunicorn_conf."""

from cynic_app.gunicorn_conf import *  # noqa: F403
from cynic_app.gunicorn_conf import on_exit, on_starting, post_worker_init  # noqa: F401  (hooks are looked up by name)
