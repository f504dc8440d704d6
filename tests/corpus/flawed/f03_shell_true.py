import subprocess


def list_directory(path):
    """Return the output of ls for path."""
    return subprocess.check_output("ls -l " + path, shell=True)
