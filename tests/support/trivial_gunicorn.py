"""gunicorn settings of the trivial app (limits.py): the service's layout of workers on CPUs
(``CYNIC_PIN_WORKERS``, serving.py), and nothing else of the service's configuration."""

from cynic_app.serving import ServerSettings, choose_cpu, pin_to_cpu, repin_after_exit

_pin_workers = ServerSettings.from_env().pin_workers


def pre_fork(server, worker) -> None:
    choose_cpu(server, worker, _pin_workers)


def post_fork(server, worker) -> None:
    pin_to_cpu(server, worker)


def child_exit(server, worker) -> None:
    repin_after_exit(server, _pin_workers)
