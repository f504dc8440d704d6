import datetime
import os
import sys


def backup_database(db_name: str, target_dir: str) -> str:
    """Dump db_name with pg_dump into target_dir and gzip it."""
    stamp = datetime.date.today().isoformat()
    out = os.path.join(target_dir, f"{db_name}-{stamp}.sql.gz")
    status = os.system("pg_dump " + db_name + " | gzip > " + out)
    if status != 0:
        raise RuntimeError(f"pg_dump failed with status {status}")
    return out


if __name__ == "__main__":
    print(backup_database(sys.argv[1], sys.argv[2]))
