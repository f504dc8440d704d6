import subprocess


def list_directory(path: str) -> str:
    """Return the output of ls for path without involving a shell."""
    result = subprocess.run(["ls", "-l", path], capture_output=True, text=True, check=True)
    return result.stdout
