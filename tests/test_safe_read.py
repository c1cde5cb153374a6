"""read_capped: regular files up to a cap, never a symlink, device or FIFO."""

from __future__ import annotations

import os
from pathlib import Path

from hone.safe_read import read_capped


def test_only_small_regular_files_are_read(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_bytes(b"x = 1\n")
    (tmp_path / "big").write_bytes(b"y" * 2000)
    (tmp_path / "link").symlink_to(tmp_path / "a.py")
    (tmp_path / "zero").symlink_to("/dev/zero")
    os.mkfifo(tmp_path / "fifo")
    assert read_capped(tmp_path / "a.py") == b"x = 1\n"
    assert read_capped(tmp_path / "big", 1000) is None
    assert read_capped(tmp_path / "big", 1000, head=True) == b"y" * 1000
    for name in ("link", "zero", "fifo", "missing"):
        assert read_capped(tmp_path / name) is None, name
    assert read_capped(Path("/dev/zero"), 10, head=True) is None
