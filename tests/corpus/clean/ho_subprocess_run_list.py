import logging
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)


def archive_logs(service: str, day: str, bucket: str) -> None:
    """Compress one day of a service's logs and upload the archive."""
    archive = Path("/tmp") / f"{service}-{day}.tar.gz"
    logs = sorted(Path("/var/log", service).glob(f"{day}*.log"))
    if not logs:
        log.warning("no %s logs for %s", service, day)
        return
    subprocess.run(["tar", "-czf", str(archive), *map(str, logs)], check=True, timeout=600)
    subprocess.run(["aws", "s3", "cp", str(archive), f"s3://{bucket}/{service}/"], check=True, timeout=600)
    archive.unlink()
    log.info("archived %s logs for %s", service, day)
