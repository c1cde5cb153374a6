"""The jail's private /tmp as a size-capped tmpfs (the disk quota of /tmp; root only).

bubblewrap 0.8 has no `--size`, so hone mounts the tmpfs itself, under /run (which every jail
masks, so no command sees another's /tmp) and binds it as the jail's /tmp. Mounting costs
milliseconds here, so mounts are pooled: a finished command's tmpfs is emptied and handed to the
next command with the same cap. A hone process killed before it cleaned up leaves mounts that the
next hone process unmounts (`sweep`).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

BASE = Path("/run/hone-jail-tmp")
_MNT_DETACH = 2
_lock = threading.Lock()
_idle: dict[int, list[Path]] = {}
_mounted: list[Path] = []
_state: dict[str, ctypes.CDLL] = {}


def _libc() -> ctypes.CDLL:
    with _lock:
        if "libc" not in _state:
            _state["libc"] = ctypes.CDLL(None, use_errno=True)
            atexit.register(unmount_all)
        return _state["libc"]


def _mount(size_bytes: int) -> Path | None:
    try:
        BASE.mkdir(mode=0o700, exist_ok=True)
        target = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=BASE))
    except OSError:
        return None
    options = f"size={size_bytes},mode=1777".encode()
    if _libc().mount(b"hone-tmp", str(target).encode(), b"tmpfs", 0, options) != 0:
        with contextlib.suppress(OSError):
            target.rmdir()
        return None
    with _lock:
        _mounted.append(target)
    return target


def _empty(target: Path) -> bool:
    """Remove everything in `target`; False when something could not be removed."""
    try:
        entries = list(os.scandir(target))
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
        os.chmod(target, 0o1777)
    except OSError:
        return False
    return True


@contextlib.contextmanager
def private_tmp(size_bytes: int) -> Iterator[Path | None]:
    """An empty tmpfs capped at `size_bytes` for the jail's /tmp; None when hone cannot mount
    one (not root, no quota asked), and the jail then uses bwrap's own (uncapped) tmpfs."""
    if not size_bytes or os.geteuid() != 0:
        yield None
        return
    with _lock:
        pool = _idle.setdefault(size_bytes, [])
        target = pool.pop() if pool else None
    target = target or _mount(size_bytes)
    try:
        yield target
    finally:
        if target is not None:
            if _empty(target):
                with _lock:
                    _idle[size_bytes].append(target)
            else:
                _unmount(target)


def _unmount(target: Path) -> None:
    _libc().umount2(str(target).encode(), _MNT_DETACH)
    with contextlib.suppress(OSError):
        target.rmdir()
    with _lock:
        if target in _mounted:
            _mounted.remove(target)


def unmount_all() -> None:
    """Unmount every tmpfs this process mounted (at exit)."""
    with _lock:
        targets = list(_mounted)
        _idle.clear()
    for target in targets:
        _unmount(target)


def sweep() -> None:
    """Unmount the private /tmp folders of hone processes that died before cleaning up."""
    if os.geteuid() != 0 or not BASE.is_dir():
        return
    for stale in BASE.iterdir():
        pid = stale.name.split("-")[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            _unmount(stale)
