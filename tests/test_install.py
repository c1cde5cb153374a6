"""The install line of the README: `pip install .` from a clone gives the `hone` command under
the distribution name hone-loop ("hone" on PyPI is an unrelated package)."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

import hone

ROOT = Path(__file__).resolve().parents[1]


def test_pyproject_names_the_distribution_and_the_command() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == hone.DISTRIBUTION == "hone-loop"
    assert project["scripts"] == {"hone": "hone.cli:main"}
    assert hone.__version__ == project["version"]
    readme = (ROOT / "README.md").read_text()
    assert "pip install ." in readme and "pipx install ." in readme
    assert "'hone[" not in readme  # extras are named after the distribution


@pytest.mark.slow
def test_the_wheel_installs_a_hone_command_that_knows_its_version(tmp_path: Path) -> None:
    """Build the wheel as `pip install .` would (no network: the dev install has the build
    backend), install it into a fresh venv that borrows only the dependencies, run it."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "-w", str(tmp_path / "dist"), str(ROOT)],
                   check=True, capture_output=True)
    wheel = next((tmp_path / "dist").glob("hone_loop-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        assert "Name: hone-loop" in z.read(meta).decode()
        assert "hone/cli.py" in z.namelist()
    env = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(env), "platbase": str(env)}))
    # The dependencies come from the dev install; hone itself only from the wheel (a path in a
    # .pth file does not run that folder's own .pth files, so the editable hone stays out).
    (site / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(env / "bin" / "python"),
                    "install", "-q", "--no-deps", str(wheel)], check=True, capture_output=True)
    out = subprocess.run([str(env / "bin" / "hone"), "--version"], capture_output=True,
                         text=True, check=True, cwd=tmp_path)
    assert out.stdout.strip() == f"hone {hone.__version__}"
    where = subprocess.run([str(env / "bin" / "python"), "-c", "import hone; print(hone.__file__)"],
                           capture_output=True, text=True, check=True, cwd=tmp_path)
    assert str(site) in where.stdout
