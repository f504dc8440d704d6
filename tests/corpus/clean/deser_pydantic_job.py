from flask import Flask, request
from pydantic import BaseModel, ValidationError


class Job(BaseModel):
    name: str
    args: list[str] = []


app = Flask(__name__)


@app.post("/jobs")
def submit_job():
    """Clients post a job as JSON; it is validated into a plain model, never unpickled."""
    try:
        job = Job.model_validate_json(request.get_data())
    except ValidationError as exc:
        return {"error": exc.errors()}, 422
    queue_job(job)
    return {"queued": job.name}, 202


def queue_job(job: Job) -> None:
    app.logger.info("queued %s with %d args", job.name, len(job.args))
