from celery import Celery

app = Celery(
    "reports",
    broker="amqp://reports:r3p0rtsMQ!@rabbit.internal:5672/reports",
    backend="redis://cache.internal:6379/3",
)
app.conf.task_acks_late = True
app.conf.worker_prefetch_multiplier = 1


@app.task(bind=True, max_retries=3)
def render_monthly(self, account_id: int, month: str) -> str:
    """Render the monthly statement PDF for an account and return its storage key."""
    from .statements import render_statement

    try:
        return render_statement(account_id, month)
    except TimeoutError as exc:
        raise self.retry(exc=exc, countdown=60)
