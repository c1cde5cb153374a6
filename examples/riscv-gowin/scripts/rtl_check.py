"""Part of the lint gate: refuse RTL that could behave differently in simulation and on the FPGA,
or reach outside the design. Simulation measures cycles and synthesis measures Fmax, so both
must see the same hardware: no conditional compilation, no includes, no DPI, no system tasks
other than pure functions ($signed, $clog2, ...), no Verilator C++ escapes. Protected.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PURE = {"$signed", "$unsigned", "$clog2", "$bits", "$size", "$high", "$low", "$left", "$right",
        "$countones", "$onehot", "$onehot0", "$isunknown"}
DIRECTIVES = re.compile(r"`(ifdef|ifndef|elsif|include|undefineall)\b")
SYSTEM = re.compile(r"\$[A-Za-z_][A-Za-z0-9_$]*")
DPI = re.compile(r"\b(import|export)\s+\"DPI")


def strip_comments(text: str) -> str:
    # Keep line numbers: replace comments by as many newlines as they span.
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def problems(path: Path) -> list[str]:
    found = []
    for n, line in enumerate(strip_comments(path.read_text(errors="replace")).splitlines(), 1):
        where = f"{path.relative_to(ROOT)}:{n}"
        if m := DIRECTIVES.search(line):
            found.append(f"{where}: `{m.group(1)} is not allowed in rtl/")
        if DPI.search(line):
            found.append(f"{where}: DPI is not allowed in rtl/")
        for task in SYSTEM.findall(line):
            if task not in PURE:
                found.append(f"{where}: {task} is not allowed in rtl/ (allowed: "
                             f"{', '.join(sorted(PURE))})")
    return found


def main() -> int:
    files = sorted([*ROOT.glob("rtl/**/*.v"), *ROOT.glob("rtl/**/*.sv"), *ROOT.glob("rtl/**/*.vh"),
                    *ROOT.glob("rtl/**/*.svh")])
    if not files:
        print("rtl_check: no Verilog under rtl/")
        return 1
    found = [p for f in files for p in problems(f)]
    for line in found:
        print(f"rtl_check: {line}")
    if found:
        return 1
    print(f"rtl_check: {len(files)} file(s) ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
