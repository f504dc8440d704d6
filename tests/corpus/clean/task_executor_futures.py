import logging
from concurrent.futures import Future, ThreadPoolExecutor

from .thumbnails import render_thumbnail

log = logging.getLogger(__name__)


class UploadService:
    """Accepts uploads and renders thumbnails off the request path; failures are logged."""

    def __init__(self, storage, pool: ThreadPoolExecutor):
        self.storage = storage
        self.pool = pool

    def accept(self, name: str, data: bytes) -> str:
        key = self.storage.put(name, data)
        future = self.pool.submit(render_thumbnail, self.storage, key)
        future.add_done_callback(lambda f: self._check(key, f))
        return key

    def _check(self, key: str, future: Future) -> None:
        exc = future.exception()
        if exc is not None:
            log.error("thumbnail for %s failed", key, exc_info=exc)
