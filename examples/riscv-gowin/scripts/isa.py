"""ISA gate: run the generated instruction self-test on the core and on the
Python ISS, and require every OUT word to match. Exits non-zero on the first
difference, naming the instruction that produced it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BUILD, SIM, compile_program, fail, simulate
from isa_gen import generate
from iss import Iss, IssError


def check(seed: int, sim: Path) -> int:
    prog = generate(seed)
    src = BUILD / f"isa{seed}.S"
    src.parent.mkdir(parents=True, exist_ok=True)
    src.write_text(prog.text())
    binary = compile_program(BUILD / f"isa{seed}", [src])
    try:
        ref = Iss(binary.read_bytes()).run(max_steps=1_000_000)
    except IssError as exc:
        fail(f"the ISS rejected the self-test: {exc}")
    if ref.exit_code != 0 or len(ref.outs) != len(prog.checks):
        fail(f"the self-test is inconsistent: {len(ref.outs)} words for "
             f"{len(prog.checks)} checks")
    # A correct multi-cycle core needs a few cycles per instruction; 50 is generous.
    got = simulate(binary.with_suffix(".hex"), max_cycles=50 * ref.steps, sim=sim)
    for i, (want, have) in enumerate(zip(ref.outs, got.outs, strict=False)):
        if want != have:
            print(f"isa: FAIL at check {i}: {prog.checks[i]}: "
                  f"expected 0x{want:08x}, core gave 0x{have:08x}")
            return 1
    if len(got.outs) != len(ref.outs) or got.exit_code != 0:
        why = "timed out" if got.timed_out else f"exit code {got.exit_code}"
        print(f"isa: FAIL: core wrote {len(got.outs)} of {len(ref.outs)} words ({why})")
        return 1
    print(f"isa: seed {seed}: {len(ref.outs)} checks passed ({ref.steps} instructions, {got.cycles} cycles)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, action="append", help="test seed (repeatable)")
    parser.add_argument("--sim", type=Path, default=SIM)
    args = parser.parse_args()
    for seed in args.seed or [1, 2, 3]:
        if check(seed, args.sim):
            return 1
    print("isa: pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
