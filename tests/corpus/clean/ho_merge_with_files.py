import glob
import json


def merge_exports(pattern: str, out_path: str) -> int:
    """Merge every JSON-lines export matching pattern into one file; return the record count."""
    count = 0
    with open(out_path, "w") as merged:
        for path in sorted(glob.glob(pattern)):
            with open(path) as src:
                for line in src:
                    record = json.loads(line)
                    record["source"] = path
                    merged.write(json.dumps(record) + "\n")
                    count += 1
    return count
