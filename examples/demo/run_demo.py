"""`make demo`: the offline demo, end to end, with the classic mutator (no LLM involved).

Copies examples/demo into a fresh git repository under a temporary folder, runs `hone init`
and about a minute of `hone run --mutator classic`, then prints the status table, the baseline
and best scores, and where everything is.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = ["fit.py", "evaluate.py", "test_fit.py"]


def hone(*args: str, cwd: Path) -> None:
    cmd = [sys.executable, "-m", "hone", *args]
    print("$ hone " + " ".join(args), flush=True)
    subprocess.run(cmd, cwd=cwd, check=True)


def main() -> None:
    seconds = float(os.environ.get("HONE_DEMO_SECONDS", "60"))
    work = Path(tempfile.mkdtemp(prefix="hone-demo-")) / "demo"
    work.mkdir()
    for name in FILES:
        shutil.copy(HERE / name, work / name)
    git = ["git", "-c", "user.name=demo", "-c", "user.email=demo@localhost"]
    subprocess.run(["git", "init", "-q"], cwd=work, check=True)
    subprocess.run([*git, "add", "."], cwd=work, check=True)
    subprocess.run([*git, "commit", "-qm", "demo: a line fit with untuned knobs"], cwd=work,
                   check=True)
    print(f"demo repository: {work}\n"
          "mutator: classic (perturbs the numeric knobs marked `# hone: tune`; no LLM)\n")
    hone("init", "--objective", "python3 evaluate.py", "--score", "mse", "--direction", "min",
         "--gate", "python3 test_fit.py", "--editable", "fit.py",
         "--goal", "Fit the line better: lower mean squared error.", cwd=work)
    hone("run", "--mutator", "classic", "--hours", f"{seconds / 3600:.4g}", "--attempts", "400",
         cwd=work)
    hone("status", cwd=work)
    hone("best", cwd=work)
    report = work / ".hone" / "reports" / "demo.html"
    hone("report", "-o", str(report), cwd=work)
    print("\n".join([
        "",
        "mode:       offline, classic mutator (no LLM, no network)",
        f"repository: {work}",
        f"report:     {report} (open it in a browser)",
        f"journal:    {work / '.git' / 'hone' / 'hone.db'} (hone status / hone show ID)",
        f"logs:       {work / '.hone' / 'logs'}",
        f"git refs:   git -C {work} for-each-ref refs/hone/",
        f"try:        .venv/bin/hone show 1 -C {work}",
        f"            .venv/bin/hone best --branch tuned -C {work}",
        f"            .venv/bin/hone ui -C {work}   (the live dashboard on 127.0.0.1)",
    ]))


if __name__ == "__main__":
    main()
