import subprocess
from pathlib import Path


class GitError(RuntimeError):
    """A git command failed."""


def git(repo: Path, *args: str) -> str:
    """Run git in repo with the given arguments and return its stripped output."""
    result = subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if result.returncode != 0:
        raise GitError(f"git {' '.join(args)}: {result.stderr.strip()}")
    return result.stdout.strip()


def release_name(repo: Path) -> str:
    """The tag-based version of HEAD, e.g. v1.4.2-3-gabc1234."""
    return git(repo, "describe", "--tags", "--always", "--dirty")


def changed_files(repo: Path, since: str) -> list[str]:
    return git(repo, "diff", "--name-only", f"{since}..HEAD").splitlines()
