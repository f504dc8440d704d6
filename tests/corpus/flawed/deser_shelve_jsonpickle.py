import jsonpickle
from flask import Flask, request

app = Flask(__name__)


class Job:
    def __init__(self, name: str, args: list):
        self.name = name
        self.args = args


@app.post("/jobs")
def submit_job():
    """Clients post a serialised Job; we queue it."""
    job = jsonpickle.decode(request.get_data(as_text=True))
    if not isinstance(job, Job):
        return {"error": "not a job"}, 400
    queue_job(job)
    return {"queued": job.name}, 202


def queue_job(job: Job) -> None:
    app.logger.warning("queued %s with %d args", job.name, len(job.args))
