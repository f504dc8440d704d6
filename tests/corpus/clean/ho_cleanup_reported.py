import logging
import os
import shutil
import tempfile

log = logging.getLogger(__name__)


def convert_batch(paths: list[str], convert) -> tuple[list[str], list[str]]:
    """Convert every file in a scratch directory; return (outputs, paths that failed)."""
    outputs, failed = [], []
    with tempfile.TemporaryDirectory(prefix="convert-") as scratch:
        for path in paths:
            try:
                outputs.append(convert(path, scratch))
            except (OSError, ValueError) as err:
                log.warning("could not convert %s: %s", path, err)
                failed.append(path)
    return outputs, failed


def cleanup_old(directory: str) -> None:
    for name in os.listdir(directory):
        target = os.path.join(directory, name)
        if os.path.isdir(target):
            shutil.rmtree(target)
        else:
            os.remove(target)
