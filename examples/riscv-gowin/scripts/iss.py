"""A small RV32I instruction-set simulator: the reference the core is checked against.

It models the SoC of soc/soc.v as the program sees it: RAM at address 0 and
write-only I/O registers at 0x8000_0000 (LEDS +0, OUT +4, EXIT +8).
Protected: the ISA gate is only as good as this file.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

MASK = 0xFFFF_FFFF
IO_BASE = 0x8000_0000
IO_LEDS, IO_OUT, IO_EXIT = 0x0, 0x4, 0x8
MEM_BYTES = 16 * 1024


class IssError(Exception):
    """The program did something the SoC does not define (bad opcode, bad address)."""


def sext(value: int, bits: int) -> int:
    """Sign-extend the low `bits` of value to a Python int."""
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def signed(value: int) -> int:
    return sext(value, 32)


@dataclass
class Result:
    """What a run produced: the OUT words, the exit code, the final state."""

    outs: list[int]
    exit_code: int | None
    steps: int
    regs: list[int]
    leds: int
    mem: bytearray = field(repr=False)


class Iss:
    def __init__(self, image: bytes, mem_bytes: int = MEM_BYTES) -> None:
        if len(image) > mem_bytes:
            raise IssError(f"program is {len(image)} bytes, RAM is {mem_bytes}")
        self.mem = bytearray(mem_bytes)
        self.mem[: len(image)] = image
        self.regs = [0] * 32
        self.pc = 0
        self.outs: list[int] = []
        self.leds = 0
        self.exit_code: int | None = None

    # ---- memory -------------------------------------------------------------
    def _check(self, addr: int, size: int) -> None:
        if addr % size:
            raise IssError(f"misaligned {size}-byte access at 0x{addr:08x} (pc 0x{self.pc:08x})")
        if addr + size > len(self.mem):
            raise IssError(f"access outside RAM at 0x{addr:08x} (pc 0x{self.pc:08x})")

    def load(self, addr: int, size: int) -> int:
        if addr & IO_BASE:
            return 0  # I/O registers read as zero
        self._check(addr, size)
        return int.from_bytes(self.mem[addr : addr + size], "little")

    def store(self, addr: int, size: int, value: int) -> None:
        if addr & IO_BASE:
            if size != 4:
                raise IssError(f"I/O writes must be words (pc 0x{self.pc:08x})")
            reg = addr & 0xC
            if reg == IO_LEDS:
                self.leds = value & 0x3F
            elif reg == IO_OUT:
                self.outs.append(value)
            elif reg == IO_EXIT:
                self.exit_code = value
            return
        self._check(addr, size)
        self.mem[addr : addr + size] = (value & ((1 << (8 * size)) - 1)).to_bytes(size, "little")

    # ---- execution ------------------------------------------------------------
    def step(self) -> None:
        pc = self.pc
        self._check(pc, 4)
        ins = int.from_bytes(self.mem[pc : pc + 4], "little")
        opcode = ins & 0x7F
        rd = (ins >> 7) & 0x1F
        f3 = (ins >> 12) & 7
        rs1v = self.regs[(ins >> 15) & 0x1F]
        rs2v = self.regs[(ins >> 20) & 0x1F]
        f7 = ins >> 25
        imm_i = sext(ins >> 20, 12)
        next_pc = (pc + 4) & MASK
        result: int | None = None

        if opcode == 0x37:  # LUI
            result = ins & 0xFFFFF000
        elif opcode == 0x17:  # AUIPC
            result = pc + (ins & 0xFFFFF000)
        elif opcode == 0x6F:  # JAL
            imm = sext(
                ((ins >> 31) << 20) | (((ins >> 12) & 0xFF) << 12)
                | (((ins >> 20) & 1) << 11) | (((ins >> 21) & 0x3FF) << 1),
                21,
            )
            result, next_pc = pc + 4, (pc + imm) & MASK
        elif opcode == 0x67 and f3 == 0:  # JALR
            result, next_pc = pc + 4, (rs1v + imm_i) & MASK & ~1
        elif opcode == 0x63:  # branches
            imm = sext(
                ((ins >> 31) << 12) | (((ins >> 7) & 1) << 11)
                | (((ins >> 25) & 0x3F) << 5) | (((ins >> 8) & 0xF) << 1),
                13,
            )
            conds = {
                0: rs1v == rs2v, 1: rs1v != rs2v,
                4: signed(rs1v) < signed(rs2v), 5: signed(rs1v) >= signed(rs2v),
                6: rs1v < rs2v, 7: rs1v >= rs2v,
            }
            if f3 not in conds:
                raise IssError(f"illegal branch 0x{ins:08x} at 0x{pc:08x}")
            if conds[f3]:
                next_pc = (pc + imm) & MASK
        elif opcode == 0x03:  # loads
            addr = (rs1v + imm_i) & MASK
            sizes = {0: 1, 1: 2, 2: 4, 4: 1, 5: 2}
            if f3 not in sizes:
                raise IssError(f"illegal load 0x{ins:08x} at 0x{pc:08x}")
            value = self.load(addr, sizes[f3])
            result = sext(value, 8 * sizes[f3]) if f3 < 4 else value
        elif opcode == 0x23:  # stores
            imm = sext(((ins >> 25) << 5) | ((ins >> 7) & 0x1F), 12)
            if f3 > 2:
                raise IssError(f"illegal store 0x{ins:08x} at 0x{pc:08x}")
            self.store((rs1v + imm) & MASK, 1 << f3, rs2v)
        elif opcode in (0x13, 0x33):  # OP-IMM, OP
            is_reg = opcode == 0x33
            b = rs2v if is_reg else imm_i & MASK
            alt = (ins >> 30) & 1
            if (is_reg and f7 not in (0, 0x20)) or (is_reg and alt and f3 not in (0, 5)):
                raise IssError(f"illegal instruction 0x{ins:08x} at 0x{pc:08x}")
            if not is_reg and f3 in (1, 5) and f7 not in (0, 0x20):
                raise IssError(f"illegal shift 0x{ins:08x} at 0x{pc:08x}")
            shamt = b & 0x1F
            if f3 == 0:
                result = rs1v - b if is_reg and alt else rs1v + b
            elif f3 == 1:
                result = rs1v << shamt
            elif f3 == 2:
                result = int(signed(rs1v) < signed(b))
            elif f3 == 3:
                result = int(rs1v < b)
            elif f3 == 4:
                result = rs1v ^ b
            elif f3 == 5:
                result = signed(rs1v) >> shamt if alt else rs1v >> shamt
            elif f3 == 6:
                result = rs1v | b
            else:
                result = rs1v & b
        elif opcode == 0x0F:  # FENCE: nothing to order on this SoC
            pass
        else:
            raise IssError(f"unsupported instruction 0x{ins:08x} at 0x{pc:08x}")

        if result is not None and rd:
            self.regs[rd] = result & MASK
        self.pc = next_pc

    def run(self, max_steps: int = 10_000_000) -> Result:
        steps = 0
        while self.exit_code is None and steps < max_steps:
            self.step()
            steps += 1
        return Result(list(self.outs), self.exit_code, steps, list(self.regs), self.leds, self.mem)


def run_file(path: Path, max_steps: int = 10_000_000) -> Result:
    """Run a flat binary image (objcopy -O binary) from address 0."""
    return Iss(path.read_bytes()).run(max_steps)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("binary", type=Path, help="flat binary loaded at address 0")
    parser.add_argument("--max-steps", type=int, default=10_000_000)
    args = parser.parse_args()
    try:
        res = run_file(args.binary, args.max_steps)
    except IssError as exc:
        print(f"iss error: {exc}", file=sys.stderr)
        return 2
    for word in res.outs:
        print(f"out: 0x{word:08x}")
    print(f"exit: {res.exit_code}")
    print(f"steps: {res.steps}")
    return 0 if res.exit_code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
