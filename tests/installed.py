"""The README's install line, done offline: build hone's wheel as `pip install .` would and
install it into a fresh virtual environment that borrows only hone's dependencies."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def build_wheel(dest: Path) -> Path:
    """hone's wheel in `dest` (no network: the dev install has the build backend)."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "-w", str(dest), str(ROOT)],
                   check=True, capture_output=True)
    return next(dest.glob("hone_loop-*.whl"))


def install_wheel(wheel: Path, env: Path) -> Path:
    """A new virtual environment at `env` with `wheel` installed; its `site-packages`. The
    dependencies come from the dev install; hone itself only from the wheel (a path in a .pth
    file does not run that folder's own .pth files, so the editable hone stays out)."""
    venv.EnvBuilder(with_pip=False).create(env)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(env), "platbase": str(env)}))
    (site / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(env / "bin" / "python"),
                    "install", "-q", "--no-deps", str(wheel)], check=True, capture_output=True)
    return site
