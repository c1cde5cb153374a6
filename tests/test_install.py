"""The install line of the README: `pip install .` from a clone gives the `hone` command under
the distribution name hone-loop ("hone" on PyPI is an unrelated package)."""

from __future__ import annotations

import subprocess
import tomllib
import zipfile
from pathlib import Path

import pytest

import hone
from tests.installed import build_wheel, install_wheel

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
    """Build the wheel as `pip install .` would, install it into a fresh venv that borrows
    only the dependencies, run it."""
    wheel = build_wheel(tmp_path / "dist")
    with zipfile.ZipFile(wheel) as z:
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        assert "Name: hone-loop" in z.read(meta).decode()
        assert "hone/cli.py" in z.namelist()
    env = tmp_path / "venv"
    site = install_wheel(wheel, env)
    out = subprocess.run([str(env / "bin" / "hone"), "--version"], capture_output=True,
                         text=True, check=True, cwd=tmp_path)
    assert out.stdout.strip() == f"hone {hone.__version__}"
    where = subprocess.run([str(env / "bin" / "python"), "-c", "import hone; print(hone.__file__)"],
                           capture_output=True, text=True, check=True, cwd=tmp_path)
    assert str(site) in where.stdout
