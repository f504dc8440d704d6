import queue
import threading


class EmailWorker:
    """Sends queued emails on a background thread."""

    def __init__(self, smtp):
        self.smtp = smtp
        self.jobs: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def enqueue(self, to: str, subject: str, body: str) -> None:
        self.jobs.put((to, subject, body))

    def _run(self) -> None:
        while True:
            to, subject, body = self.jobs.get()
            self.send(to, subject, body)

    def send(self, to: str, subject: str, body: str) -> None:
        pass

    def retry_failed(self) -> int:
        raise NotImplementedError

    def stop(self) -> None:
        pass
