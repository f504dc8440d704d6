"""A file-system layer that can pull the plug: it records every write and sync that the
durability code makes (through its deliberate ``fs`` seam) and, at each sync point, builds the
disk images a power loss right then could leave behind.

Model (what a POSIX file system promises, and no more):
- a file's bytes are durable up to its last completed ``fsync``; bytes written since may be
  lost, partly written, garbled, or reach the disk block by block in any order (holes: some
  blocks read back as zeros while later ones hold the new bytes);
- a name (create, mkdir, rename, unlink, rmdir) is durable after its directory's ``fsync``;
  before that the directory may show the old or the new state;
- a file survives only if every directory above it that this layer saw created survives.
Directories that existed before the layer was installed count as durable.
"""

from __future__ import annotations

import functools
import os
import random
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from cynic_app.durability.fsio import FS

VARIANTS = ("dropped", "partial", "garbled", "holes", "everything")
BLOCK = 512


def _serialised(method):
    @functools.wraps(method)
    def run(self, *args, **kwargs):
        with self._serial:
            return method(self, *args, **kwargs)

    return run


class PowerLossFS(FS):
    """on_sync_point(images by variant) runs before every sync; files already under existing
    when the layer is installed count as durable, names and bytes."""

    def __init__(
        self,
        on_sync_point: Callable[[dict[str, dict[Path, bytes]]], None] | None = None,
        *,
        existing: Path | None = None,
    ):
        self.on_sync_point = on_sync_point
        self.sync_points = 0
        self._next_inode = 0
        self._fd_inode: dict[int, int] = {}
        self._inode_path: dict[int, Path] = {}
        self._durable: dict[int, bytes] = {}  # content as of the inode's last fsync
        self._orphan: dict[int, bytes] = {}  # content of inodes that lost their last name
        self._names: dict[Path, int] = {}  # what the directories show now
        self._durable_names: dict[Path, int] = {}  # what survives a power loss
        self._dirs: set[Path] = set()  # directories this layer created that exist now
        self._durable_dirs: set[Path] = set()  # ... whose entry survives a power loss
        self._rng = random.Random(7)
        # One operation at a time, so a sync point sees a consistent picture even when many
        # threads write (the real file system has the same guarantee per operation).
        self._serial = threading.RLock()
        for path in sorted(Path(existing).rglob("*")) if existing is not None else ():
            if path.is_file():
                inode = self._new_inode(path)
                self._durable[inode] = path.read_bytes()
                self._durable_names[path] = inode

    # -- bookkeeping -----------------------------------------------------------------------------

    def _new_inode(self, path: Path) -> int:
        self._next_inode += 1
        inode = self._next_inode
        self._inode_path[inode] = path
        self._durable[inode] = b""
        self._names[path] = inode
        return inode

    def _content(self, inode: int) -> bytes:
        if inode in self._orphan:
            return self._orphan[inode]
        return self._inode_path[inode].read_bytes()

    def _keep_bytes(self, path: Path) -> None:
        """path is about to lose its name: keep its bytes, since the old name may survive."""
        inode = self._names.get(path)
        if inode is not None and inode not in self._orphan:
            self._orphan[inode] = path.read_bytes()

    # -- the FS seam -----------------------------------------------------------------------------

    @_serialised
    def open_append(self, path: Path) -> int:
        path = Path(path)
        fd = super().open_append(path)
        inode = self._names.get(path)
        if inode is None:
            inode = self._new_inode(path)
        self._fd_inode[fd] = inode
        return fd

    @_serialised
    def create(self, path: Path) -> int:
        fd = super().create(path)
        self._fd_inode[fd] = self._new_inode(Path(path))
        return fd

    @_serialised
    def mkstemp(self, directory: Path, prefix: str):
        fd, path = super().mkstemp(directory, prefix)
        self._fd_inode[fd] = self._new_inode(path)
        return fd, path

    @_serialised
    def write_all(self, fd: int, data: bytes) -> None:
        super().write_all(fd, data)

    @_serialised
    def truncate(self, fd: int, size: int) -> None:
        super().truncate(fd, size)  # durable only at the next fsync, like any change

    @_serialised
    def fsync(self, fd: int) -> None:
        self._sync_point()
        super().fsync(fd)
        inode = self._fd_inode[fd]
        self._durable[inode] = self._content(inode)

    @_serialised
    def fsync_dir(self, directory: Path) -> None:
        self._sync_point()
        super().fsync_dir(directory)
        directory = Path(directory)
        for path in [p for p in self._durable_names if p.parent == directory]:
            del self._durable_names[path]
        for path, inode in self._names.items():
            if path.parent == directory:
                self._durable_names[path] = inode
        self._durable_dirs = {d for d in self._durable_dirs if d.parent != directory}
        self._durable_dirs |= {d for d in self._dirs if d.parent == directory}

    @_serialised
    def mkdir(self, path: Path) -> None:
        super().mkdir(path)
        self._dirs.add(Path(path))

    @_serialised
    def rmdir(self, path: Path) -> None:
        super().rmdir(path)
        self._dirs.discard(Path(path))

    @_serialised
    def replace(self, src: Path, dst: Path) -> None:
        src, dst = Path(src), Path(dst)
        self._keep_bytes(dst)
        super().replace(src, dst)
        inode = self._names.pop(src)
        self._names[dst] = inode
        self._inode_path[inode] = dst

    @_serialised
    def unlink(self, path: Path) -> None:
        path = Path(path)
        self._keep_bytes(path)
        super().unlink(path)
        self._names.pop(path, None)

    @_serialised
    def dup(self, fd: int) -> int:
        new = super().dup(fd)
        self._fd_inode[new] = self._fd_inode[fd]
        return new

    @_serialised
    def close(self, fd: int) -> None:
        super().close(fd)
        self._fd_inode.pop(fd, None)

    # -- crash images ----------------------------------------------------------------------------

    def _sync_point(self) -> None:
        """Called before every sync takes effect: the moment power could fail."""
        self.sync_points += 1
        if self.on_sync_point is not None:
            self.on_sync_point(_Images(self))

    @_serialised
    def image(self, variant: str) -> dict[Path, bytes]:
        """Files (path → bytes) a power loss now could leave, in one of the VARIANTS."""
        names = self._names if variant == "everything" else self._durable_names
        # A file survives only if no directory above it that this layer created was lost.
        kept = self._dirs if variant == "everything" else self._durable_dirs
        lost = (self._dirs | self._durable_dirs) - kept
        out = {}
        for path, inode in names.items():
            if lost and any(parent in lost for parent in path.parents):
                continue
            durable = self._durable[inode]
            if variant == "dropped":
                out[path] = durable
                continue
            now = self._content(inode)
            unsynced = now[len(durable) :] if now.startswith(durable) else b""
            if variant == "everything":
                out[path] = now
            elif not unsynced:
                out[path] = durable
            elif variant == "partial":
                out[path] = durable + unsynced[: max(1, len(unsynced) // 2)]
            elif variant == "holes":  # blocks written back out of order: some never arrived
                blocks = [unsynced[i : i + BLOCK] for i in range(0, len(unsynced), BLOCK)]
                out[path] = durable + b"".join(
                    b if self._rng.random() < 0.5 else bytes(len(b)) for b in blocks
                )
            else:  # garbled: the sectors were written with rubbish
                out[path] = durable + self._rng.randbytes(len(unsynced))
        return out


class _Images(dict):
    """The images of one sync point, each built when first looked at (images[variant])."""

    def __init__(self, fs: PowerLossFS):
        super().__init__()
        self._fs = fs

    def __missing__(self, variant: str) -> dict[Path, bytes]:
        if variant not in VARIANTS:
            raise KeyError(variant)
        self[variant] = image = self._fs.image(variant)
        return image


#: Disk images are written and read thousands of times: on a RAM file system when there is one.
SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") else None


def scratch_dir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix, dir=SCRATCH))


def materialise(image: dict[Path, bytes], source_root: Path, target_root: Path) -> None:
    """Write an image's files under target_root, keeping their paths relative to source_root."""
    made = set()
    for path, data in image.items():
        out = target_root / Path(path).relative_to(source_root)
        if out.parent not in made:
            out.parent.mkdir(parents=True, exist_ok=True)
            made.add(out.parent)
        out.write_bytes(data)
    (target_root / "journal").mkdir(parents=True, exist_ok=True)


def durable_lines(image: dict) -> dict[int, str]:
    """{seq: id} of the whole records each journal segment of a disk image holds, up to the
    first line that does not decode (what recovery would find)."""
    from cynic_app.durability.journal.record import BadRecord, decode

    found = {}
    for path, data in image.items():
        if path.suffix == ".jsonl":
            for line in data.splitlines(keepends=True):
                try:
                    record = decode(line)
                except BadRecord:
                    break
                found[record.seq] = record.id
    return found
