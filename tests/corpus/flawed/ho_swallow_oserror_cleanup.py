import logging
import os
import shutil
import tempfile

log = logging.getLogger(__name__)


def convert_batch(paths: list[str], convert) -> list[str]:
    """Convert every file in a scratch directory and return the outputs that succeeded."""
    scratch = tempfile.mkdtemp(prefix="convert-")
    outputs = []
    for path in paths:
        try:
            outputs.append(convert(path, scratch))
        except Exception as err:
            log.debug("skipping %s: %s", path, err)
    try:
        shutil.rmtree(scratch)
    except:
        pass
    return outputs


def cleanup_old(directory: str) -> None:
    for name in os.listdir(directory):
        try:
            os.remove(os.path.join(directory, name))
        except Exception:
            continue
