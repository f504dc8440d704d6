import logging
import queue
import smtplib
import threading
from email.message import EmailMessage

log = logging.getLogger(__name__)
_STOP = object()


class EmailWorker:
    """Sends queued emails on a background thread; failures are logged with the recipient."""

    def __init__(self, smtp_factory):
        self.smtp_factory = smtp_factory
        self.jobs: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="email-worker")

    def start(self) -> None:
        self._thread.start()

    def enqueue(self, to: str, subject: str, body: str) -> None:
        self.jobs.put((to, subject, body))

    def stop(self) -> None:
        self.jobs.put(_STOP)
        self._thread.join()

    def _run(self) -> None:
        while (job := self.jobs.get()) is not _STOP:
            to, subject, body = job
            try:
                self.send(to, subject, body)
            except (smtplib.SMTPException, OSError):
                log.exception("could not send %r to %s", subject, to)

    def send(self, to: str, subject: str, body: str) -> None:
        msg = EmailMessage()
        msg["To"], msg["Subject"] = to, subject
        msg.set_content(body)
        with self.smtp_factory() as smtp:
            smtp.send_message(msg)
