import logging
from concurrent.futures import ThreadPoolExecutor

from .thumbnails import render_thumbnail

log = logging.getLogger(__name__)
_pool = ThreadPoolExecutor(max_workers=4)


class UploadService:
    """Accepts uploads and renders thumbnails off the request path."""

    def __init__(self, storage):
        self.storage = storage

    def accept(self, name: str, data: bytes) -> str:
        key = self.storage.put(name, data)
        _pool.submit(render_thumbnail, self.storage, key)
        log.info("accepted upload %s", key)
        return key

    def accept_many(self, files: dict[str, bytes]) -> list[str]:
        return [self.accept(name, data) for name, data in files.items()]
