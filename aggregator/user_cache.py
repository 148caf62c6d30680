"""What a process derives from data the packages ship (the location gazetteer, the language model's
arrays), kept in the user's cache folder for the next process: each file named by its kind and a
digest of its inputs, written whole or not at all, and files of other inputs removed once nobody
rewrote them for a month. A folder that cannot be written is no error, only a slower start."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

FOLDER = "remote-job-aggregator"
STALE_SECONDS = 30 * 86400  # a cache file of other inputs nobody rewrote for this long goes


def cache_path(kind: str, inputs: str, suffix: str) -> Path | None:
    """``$XDG_CACHE_HOME`` (else ``~/.cache``) ``/remote-job-aggregator/<kind>-<inputs><suffix>``,
    or None without a home folder (then the value is made every time)."""
    try:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    except RuntimeError:
        return None
    return base / FOLDER / f"{kind}-{inputs}{suffix}"


def inputs_digest(files_read: Iterable[Path], packages: Iterable[tuple[str, tuple[str, ...]]]) -> str:
    """A digest of what a cached value is made from: files (read whole), the files of installed
    packages matching the patterns (by size and time, not read), and the Python version (marshal's
    format, ``unicodedata``'s tables)."""
    digest = hashlib.sha256(sys.version.encode())
    for path in files_read:
        digest.update(path.read_bytes())
    for package, patterns in packages:
        spec = importlib.util.find_spec(package)
        folder = Path(spec.origin).parent if spec and spec.origin else None
        for path in sorted(path for pattern in patterns for path in folder.glob(pattern)) if folder else ():
            stat = path.stat()
            digest.update(f"{path.relative_to(folder)} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:20]


def keep(path: Path, kind: str, inputs: str, write: Callable[[Path], None]) -> None:
    """``write(temporary)`` makes the file (or folder) at a temporary path beside ``path``, renamed
    to ``path`` once complete; then the ``kind``'s stale files of other inputs go."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = Path(tempfile.mkdtemp(dir=path.parent, prefix=path.name, suffix=".tmp")) / "value"
    except OSError:
        return
    try:
        write(temporary)
        os.replace(temporary, path)
        for other in path.parent.glob(f"{kind}-*"):
            if inputs not in other.name and time.time() - other.stat().st_mtime > STALE_SECONDS:
                _remove(other)
    except OSError:
        pass  # another process kept the same value first, or the folder is full or read-only
    finally:
        _remove(temporary.parent)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
