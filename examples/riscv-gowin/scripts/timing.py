"""Synthesis (Yosys synth_gowin) and place-and-route (nextpnr-himbaechel) for the Tang Nano 20K.

`timing.py synth` writes build/top.json from soc/top.v, soc/soc.v and rtl/; `timing.py pnr --seed N`
places and routes it with seed N and prints `fmax_mhz` and `luts`. Protected: it defines the
device, the constraints and how Fmax and LUTs are read.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import tools
from common import BUILD, ROOT, fail, run

DEVICE = "GW2AR-LV18QN88C8/I7"
FAMILY = "GW2A-18C"
CONSTRAINTS = ROOT / "constraints" / "tangnano20k.cst"
# The placer optimises for this target; set above what any core here reaches, so that the
# timing-driven placement always works for speed. Missing it is not an error (the board's
# crystal is 27 MHz): Fmax is what nextpnr achieved.
TARGET_MHZ = 250
NETLIST = BUILD / "top.json"
# Adders as LUTs (-noalu), not ALU carry cells: with ALU cells this nextpnr failed to route the
# baseline on 3 of 5 seeded runs here (always an ALU SUM net), and Apicula reports designs with
# inferred ALUs computing wrong on the GW2AR-18 itself (YosysHQ/apicula#514).


def rel(path: Path) -> str:
    """A path relative to the example: YoWASP tools see /tmp as a private directory of their
    own, so absolute paths there (pytest's, for one) would not reach the real files."""
    return os.path.relpath(path, ROOT)


def rtl_sources() -> list[Path]:
    return sorted([*ROOT.glob("rtl/*.v"), *ROOT.glob("rtl/*.sv")])


def synth(netlist: Path = NETLIST) -> None:
    """Synthesise the FPGA top with the benchmark preloaded in the RAM (soc/top.v's MEM_INIT,
    relative to the example's directory)."""
    hexfile = BUILD / "bench.hex"
    if not hexfile.exists():
        fail(f"{hexfile} is missing; build it with `make build/bench.hex`")
    bin_dir = tools.ensure()
    sources = [ROOT / "soc" / "top.v", ROOT / "soc" / "soc.v", *rtl_sources()]
    script = (f"read_verilog -sv {' '.join(map(rel, sources))}; "
              f"synth_gowin -top top -family gw2a -noalu -json {rel(netlist)}")
    log = BUILD / "synth.log"
    res = run([str(bin_dir / tools.YOSYS), "-q", "-l", rel(log), "-p", script], cwd=ROOT)
    if res.returncode or not netlist.exists():
        netlist.unlink(missing_ok=True)
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:]) if log.exists() else ""
        fail(f"synthesis failed (see {log}):\n{tail or res.stderr}")


@dataclass(frozen=True)
class Placed:
    """One place-and-route run: ok, or why not."""

    seed: int
    ok: bool
    fmax_mhz: float = 0.0
    luts: int = 0
    reason: str = ""


def pnr(seed: int, netlist: Path = NETLIST) -> Placed:
    """Place and route `netlist` with `seed`; a failure to place or route is a result too."""
    if not netlist.exists():
        fail(f"{netlist} is missing; build it with `make synth`")
    bin_dir = tools.ensure()
    report = BUILD / f"pnr_seed{seed}.report.json"
    log = BUILD / f"pnr_seed{seed}.log"
    report.unlink(missing_ok=True)
    # One thread: the result then depends only on the seed, not on the machine's load.
    cmd = [str(bin_dir / tools.NEXTPNR), "--device", DEVICE, "--vopt", f"family={FAMILY}",
           "--vopt", f"cst={rel(CONSTRAINTS)}", "--json", rel(netlist), "--seed", str(seed),
           "--freq", str(TARGET_MHZ), "--timing-allow-fail", "--threads", "1",
           "--report", rel(report), "-l", rel(log), "-q"]
    res = run(cmd, cwd=ROOT)
    if res.returncode or not report.exists():
        lines = [ln for ln in (res.stderr + res.stdout).splitlines() if "ERROR" in ln]
        return Placed(seed, False, reason=(lines[-1] if lines else f"exit {res.returncode}"))
    data = json.loads(report.read_text())
    clocks = [c["achieved"] for c in data.get("fmax", {}).values() if "achieved" in c]
    if not clocks:
        return Placed(seed, False, reason="nextpnr reported no clock")
    luts = int(data.get("utilization", {}).get("LUT4", {}).get("used", 0))
    return Placed(seed, True, round(min(clocks), 2), luts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("synth", help="write build/top.json")
    p = sub.add_parser("pnr", help="place and route build/top.json with one seed")
    p.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.cmd == "synth":
        synth()
        print(f"synth: wrote {NETLIST.relative_to(ROOT)}")
        return 0
    placed = pnr(args.seed)
    if not placed.ok:
        print(f"pnr: seed {args.seed} failed: {placed.reason}")
        return 1
    print(f"fmax_mhz: {placed.fmax_mhz}")
    print(f"luts: {placed.luts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
