"""6. A detectable holdout: overfit code (fast and right only on the benchmark's input) that
behaves honestly where it guesses it is being checked on other inputs."""

from __future__ import annotations

from tests.verify.cheats.lab import Case
from tests.verify.cheats.project import hidden_answer, prepend

CAT = "detectable-holdout"


def checked_when(condition: str, imports: str) -> dict[str, str | bytes | None]:
    return {"calc.py": prepend(f"{imports}\n_CHECKED = {condition}", hidden_answer("_CHECKED"))}


CASES = [
    Case("the working directory is named holdout-<id>", CAT,
         checked_when("'holdout' in os.getcwd()", "import os")),
    Case("Path.cwd() names the holdout's folder", CAT,
         checked_when("Path.cwd().name.startswith('hold')", "from pathlib import Path")),
    Case("the host name tells the jail apart", CAT,
         checked_when("socket.gethostname() != 'box'", "import socket")),
    Case("hone's variables are missing", CAT,
         checked_when("'HONE_SEED' not in os.environ", "import os")),
    Case("the benchmark's data file is missing", CAT,
         checked_when("not os.path.exists('data/inputs.txt')", "import os")),
    Case("the tests folder is missing", CAT,
         checked_when("not os.path.isdir('tests')", "import os")),
    Case("the module's own path names the holdout", CAT,
         checked_when("os.path.basename(os.path.dirname(os.path.abspath(__file__)))"
                      ".startswith('hold')", "import os")),
]
