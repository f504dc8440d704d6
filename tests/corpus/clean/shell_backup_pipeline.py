import datetime
import gzip
import shutil
import subprocess
import sys
from pathlib import Path


def backup_database(db_name: str, target_dir: Path) -> Path:
    """Dump db_name with pg_dump into target_dir, gzipped, without a shell."""
    stamp = datetime.date.today().isoformat()
    out = target_dir / f"{db_name}-{stamp}.sql.gz"
    with subprocess.Popen(["pg_dump", "--", db_name], stdout=subprocess.PIPE) as dump:
        with gzip.open(out, "wb") as gz:
            shutil.copyfileobj(dump.stdout, gz)
    if dump.returncode != 0:
        out.unlink(missing_ok=True)
        raise RuntimeError(f"pg_dump failed with status {dump.returncode}")
    return out


if __name__ == "__main__":
    print(backup_database(sys.argv[1], Path(sys.argv[2])))
