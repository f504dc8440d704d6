"""gunicorn configuration for tests/support/writer_probe.py: the shipped one, with the probe's
replacement of Service._persist installed before the workers fork (none when the mode is unset)."""

from cynic_app.gunicorn_conf import *  # noqa: F403  (gunicorn reads settings and hooks by name)
from tests.support.writer_probe import install

install()
