import logging
import subprocess

log = logging.getLogger(__name__)


def archive_logs(service: str, day: str, bucket: str) -> None:
    """Compress one day of a service's logs and upload the archive."""
    archive = f"/tmp/{service}-{day}.tar.gz"
    cmd = f"tar -czf {archive} /var/log/{service}/{day}*.log && aws s3 cp {archive} s3://{bucket}/{service}/"
    rc = subprocess.call(cmd, shell=True)
    if rc != 0:
        log.error("archiving %s for %s failed with %d", service, day, rc)
        raise RuntimeError(f"archive failed: {rc}")
    log.info("archived %s logs for %s", service, day)
