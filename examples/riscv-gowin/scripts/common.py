"""Shared helpers for the example's scripts: paths, the RISC-V toolchain, the simulator."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
SIM = BUILD / "obj" / "Vsoc"
MEM_BYTES = 16 * 1024

RVCC = os.environ.get("RVCC", "riscv64-unknown-elf-gcc")
RVOBJCOPY = os.environ.get("RVOBJCOPY", "riscv64-unknown-elf-objcopy")
RVFLAGS = [
    "-march=rv32i", "-mabi=ilp32", "-O2", "-nostdlib", "-ffreestanding", "-fno-builtin",
    "-mno-relax", "-Wall", "-Wextra", "-Werror", "-T", str(ROOT / "bench" / "link.ld"),
]


def fail(message: str) -> None:
    """Print a one-line reason and exit non-zero."""
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


def run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(cmd, text=True, capture_output=True, **kwargs)  # type: ignore[call-overload]
    except FileNotFoundError:
        fail(f"{cmd[0]} not found; run `make deps`")
        raise  # unreachable


def compile_program(out_stem: Path, sources: list[Path]) -> Path:
    """Build a bare-metal rv32i program; returns the flat binary. Also writes .elf and .hex."""
    out_stem.parent.mkdir(parents=True, exist_ok=True)
    elf, binary, hexfile = (out_stem.with_suffix(s) for s in (".elf", ".bin", ".hex"))
    res = run([RVCC, *RVFLAGS, *map(str, sources), "-o", str(elf)])
    if res.returncode:
        fail(f"compiling {' '.join(map(str, sources))} failed:\n{res.stderr}")
    res = run([RVOBJCOPY, "-O", "binary", str(elf), str(binary)])
    if res.returncode:
        fail(f"objcopy failed: {res.stderr}")
    image = binary.read_bytes()
    if len(image) > MEM_BYTES:
        fail(f"{binary.name} is {len(image)} bytes; the RAM holds {MEM_BYTES}")
    image += bytes(-len(image) % 4)
    words = [int.from_bytes(image[i : i + 4], "little") for i in range(0, len(image), 4)]
    hexfile.write_text("".join(f"{w:08x}\n" for w in words))
    return binary


@dataclass(frozen=True)
class SimResult:
    outs: list[int]
    exit_code: int | None
    cycles: int
    timed_out: bool
    log: str


def simulate(hexfile: Path, max_cycles: int, sim: Path = SIM, timeout_s: float = 600) -> SimResult:
    """Run a program on the Verilated SoC."""
    if not sim.exists():
        fail(f"{sim} is missing; build it with `make sim`")
    res = run([str(sim), f"+hex={hexfile}", f"+max_cycles={max_cycles}"], timeout=timeout_s)
    outs = [int(m, 16) for m in re.findall(r"^out: 0x([0-9a-f]+)$", res.stdout, re.M)]
    exit_m = re.search(r"^exit: (\d+)$", res.stdout, re.M)
    cycles_m = re.search(r"^cycles: (\d+)$", res.stdout, re.M)
    return SimResult(
        outs=outs,
        exit_code=int(exit_m.group(1)) if exit_m else None,
        cycles=int(cycles_m.group(1)) if cycles_m else 0,
        timed_out="timeout:" in res.stdout,
        log=res.stdout + res.stderr,
    )


def which(tool: str) -> str | None:
    return shutil.which(tool)
