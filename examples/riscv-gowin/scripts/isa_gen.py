"""Generate the instruction-level self-test: an assembly program that exercises
every RV32I instruction (FENCE as a no-op; ECALL/EBREAK are out of scope) and
writes each result to the OUT register, so the core and the ISS can be compared
word by word. Also emits back-to-back dependent sequences that catch hazards in
pipelined cores. Deterministic for a given seed. Protected.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

IO = "x31"   # holds 0x8000_0000 for the whole test
BUF = "x30"  # holds the address of the data buffer
WORK = [f"x{i}" for i in range(1, 30)]
BUF_WORDS = 32

CORNERS = [
    0, 1, 2, 0xFFFFFFFF, 0xFFFFFFFE, 0x7FFFFFFF, 0x80000000, 0x80000001,
    0x55555555, 0xAAAAAAAA, 31, 32, 33, 0x0000FFFF, 0xFFFF0000, 0x00000800,
]
IMM_CORNERS = [0, 1, -1, 2, -2, 2047, -2048, 0x555, -0x556, 0x7F, 0x80, -0x80]

R_OPS = ["add", "sub", "sll", "slt", "sltu", "xor", "srl", "sra", "or", "and"]
I_OPS = ["addi", "slti", "sltiu", "xori", "ori", "andi"]
SHIFT_I_OPS = ["slli", "srli", "srai"]
BRANCHES = ["beq", "bne", "blt", "bge", "bltu", "bgeu"]
LOADS = {"lb": 1, "lh": 2, "lw": 4, "lbu": 1, "lhu": 2}
STORES = {"sb": 1, "sh": 2, "sw": 4}


@dataclass
class Program:
    """Assembly lines plus, for each OUT word the program writes, what it checks."""

    lines: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    _label: int = 0

    def asm(self, *lines: str) -> None:
        self.lines.extend("    " + line if not line.endswith(":") else line for line in lines)

    def out(self, reg: str, what: str) -> None:
        self.asm(f"sw {reg}, 4({IO})")
        self.checks.append(what)

    def label(self) -> str:
        self._label += 1
        return f"L{self._label}"

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _val(rng: random.Random) -> int:
    return rng.choice(CORNERS) if rng.random() < 0.5 else rng.getrandbits(32)


def _imm(rng: random.Random) -> int:
    return rng.choice(IMM_CORNERS) if rng.random() < 0.5 else rng.randint(-2048, 2047)


def _regs(rng: random.Random, n: int) -> list[str]:
    # Sometimes reuse a register so rd == rs1, rs1 == rs2 and the like are covered.
    return [rng.choice(WORK[:4]) if rng.random() < 0.2 else rng.choice(WORK) for _ in range(n)]


def alu_tests(p: Program, rng: random.Random) -> None:
    for op in R_OPS:
        for i in range(10):
            rd, rs1, rs2 = _regs(rng, 3)
            a, b = _val(rng), _val(rng)
            if rs1 == rs2:
                b = a
            p.asm(f"li {rs1}, {a:#x}", f"li {rs2}, {b:#x}", f"{op} {rd}, {rs1}, {rs2}")
            p.out(rd, f"{op} {rd}, {rs1}={a:#x}, {rs2}={b:#x}")
            if i == 0:  # writes to x0 are discarded
                p.asm(f"{op} x0, {rs1}, {rs2}")
                p.out("x0", f"{op} x0 (must stay 0)")
    for op in I_OPS:
        for _ in range(12):
            rd, rs1 = _regs(rng, 2)
            a, imm = _val(rng), _imm(rng)
            p.asm(f"li {rs1}, {a:#x}", f"{op} {rd}, {rs1}, {imm}")
            p.out(rd, f"{op} {rd}, {rs1}={a:#x}, {imm}")
    for op in SHIFT_I_OPS:
        for shamt in [0, 1, 4, 15, 16, 30, 31, rng.randint(0, 31)]:
            rd, rs1 = _regs(rng, 2)
            a = _val(rng)
            p.asm(f"li {rs1}, {a:#x}", f"{op} {rd}, {rs1}, {shamt}")
            p.out(rd, f"{op} {rd}, {rs1}={a:#x}, {shamt}")
    for imm in [0, 1, 0x80000, 0xFFFFF, 0x7FFFF, 0x12345, rng.getrandbits(20)]:
        rd = rng.choice(WORK)
        p.asm(f"lui {rd}, {imm:#x}")
        p.out(rd, f"lui {rd}, {imm:#x}")
        p.asm(f"auipc {rd}, {imm:#x}")
        p.out(rd, f"auipc {rd}, {imm:#x}")
    p.asm("lui x0, 0x12345", "auipc x0, 0x1")
    p.out("x0", "lui/auipc x0 (must stay 0)")


def branch_tests(p: Program, rng: random.Random) -> None:
    pairs = [(0, 0), (1, 2), (2, 1), (0xFFFFFFFF, 1), (1, 0xFFFFFFFF), (0x80000000, 0x7FFFFFFF),
             (0x7FFFFFFF, 0x80000000), (5, 5), (0xFFFFFFFF, 0xFFFFFFFF)]
    for op in BRANCHES:
        for a, b in pairs + [(_val(rng), _val(rng))]:
            rs1, rs2, rd = rng.sample(WORK, 3)
            fwd, back, done, skip = p.label(), p.label(), p.label(), p.label()
            # forward: +1 if not taken, +2 always
            p.asm(f"li {rs1}, {a:#x}", f"li {rs2}, {b:#x}", f"li {rd}, 0",
                  f"{op} {rs1}, {rs2}, {fwd}", f"addi {rd}, {rd}, 1", f"{fwd}:", f"addi {rd}, {rd}, 2")
            # backward: +4 if taken, +8 if not
            p.asm(f"j {skip}", f"{back}:", f"addi {rd}, {rd}, 4", f"j {done}", f"{skip}:",
                  f"{op} {rs1}, {rs2}, {back}", f"addi {rd}, {rd}, 8", f"{done}:")
            p.out(rd, f"{op} {a:#x}, {b:#x} (1: fwd not taken, 2: always, 4: back taken, 8: back not taken)")
    # a counted loop: backward taken branch many times in a row
    cnt, acc, loop = "x5", "x6", p.label()
    p.asm(f"li {cnt}, 10", f"li {acc}, 0", f"{loop}:", f"addi {acc}, {acc}, 3",
          f"addi {cnt}, {cnt}, -1", f"bne {cnt}, x0, {loop}")
    p.out(acc, "loop of 10 with bne")


def jump_tests(p: Program, rng: random.Random) -> None:
    for rd in ["x1", "x5", rng.choice(WORK)]:
        target = p.label()
        p.asm("li x7, 0", f"jal {rd}, {target}", "addi x7, x7, 1", f"{target}:")
        p.out(rd, f"jal {rd} link")
        p.out("x7", f"jal {rd} skipped the next instruction")
    # jal backwards, and jal x0 (plain jump)
    back, over, done = p.label(), p.label(), p.label()
    p.asm("li x7, 0", f"j {over}", f"{back}:", "addi x7, x7, 16", f"jal x0, {done}", f"{over}:",
          f"jal x9, {back}", "addi x7, x7, 1", f"{done}:")
    p.out("x7", "jal backwards then jal x0")
    p.out("x9", "jal backwards link")
    for offset, rd, base in [(0, "x1", "x8"), (1, "x3", "x8"), (-4, "x4", "x8"), (8, "x8", "x8"),
                             (0, "x0", "x8")]:
        target = p.label()
        # base is set so base + offset (with bit 0 cleared) lands on target
        p.asm("li x7, 0", f"la {base}, {target}", f"addi {base}, {base}, {-(offset & ~1)}",
              f"jalr {rd}, {offset}({base})", "addi x7, x7, 1", "addi x7, x7, 2", f"{target}:")
        p.out(rd, f"jalr {rd}, {offset}({base}) link")
        p.out("x7", f"jalr {rd}, {offset}({base}) reached its target")
    # call and return through ra
    func, after = p.label(), p.label()
    p.asm(f"j {after}", f"{func}:", "addi x10, x10, 100", "ret", f"{after}:",
          "li x10, 1", f"call {func}", f"call {func}")
    p.out("x10", "call/ret twice")


def memory_tests(p: Program, rng: random.Random) -> None:
    # The buffer starts with a known pattern (see data section).
    for op, size in LOADS.items():
        for off in range(0, 16, size):
            rd = rng.choice(WORK)
            p.asm(f"{op} {rd}, {off}({BUF})")
            p.out(rd, f"{op} at buf+{off}")
    # negative offsets from a base past the start
    p.asm(f"addi x9, {BUF}, 64")
    for off in [-64, -61, -2, -4]:
        for op, size in LOADS.items():
            if off % size == 0:
                p.asm(f"{op} x11, {off}(x9)")
                p.out("x11", f"{op} at buf+64{off}")
    for op, size in STORES.items():
        for off in range(0, 8, size):
            val = _val(rng)
            base = 32 + 8 * list(STORES).index(op)
            p.asm(f"li x12, {val:#x}", f"{op} x12, {base + off}({BUF})")
        for w in range(2):
            p.asm(f"lw x13, {32 + 8 * list(STORES).index(op) + 4 * w}({BUF})")
            p.out("x13", f"{op} stores, word {w} read back")
    # store then load right away, and a load used by the next instruction
    p.asm("li x14, 0x13572468", f"sw x14, 56({BUF})", f"lw x15, 56({BUF})", "addi x15, x15, 1")
    p.out("x15", "sw then lw then use")
    p.asm("li x14, -3", f"sb x14, 60({BUF})", f"lbu x16, 60({BUF})", f"lb x17, 60({BUF})",
          "add x16, x16, x17")
    p.out("x16", "sb then lbu, lb, add")
    p.asm(f"lw x0, 0({BUF})")
    p.out("x0", "lw x0 (must stay 0)")
    p.asm("fence", "fence rw, rw")
    p.out("x16", "fence is a no-op")


def random_block(p: Program, rng: random.Random, index: int, length: int = 24) -> None:
    """Random dependent instructions on a few registers, then dump them."""
    regs = [f"x{i}" for i in range(1, 11)]
    for r in regs:
        p.asm(f"li {r}, {_val(rng):#x}")
    for _ in range(length):
        kind = rng.random()
        rd, rs1, rs2 = (rng.choice(regs) for _ in range(3))
        if kind < 0.35:
            p.asm(f"{rng.choice(R_OPS)} {rd}, {rs1}, {rs2}")
        elif kind < 0.55:
            p.asm(f"{rng.choice(I_OPS)} {rd}, {rs1}, {_imm(rng)}")
        elif kind < 0.62:
            p.asm(f"{rng.choice(SHIFT_I_OPS)} {rd}, {rs1}, {rng.randint(0, 31)}")
        elif kind < 0.66:
            p.asm(f"lui {rd}, {rng.getrandbits(20):#x}")
        elif kind < 0.78:
            op, size = rng.choice(list(LOADS.items()))
            p.asm(f"{op} {rd}, {rng.randrange(0, 4 * BUF_WORDS, size)}({BUF})")
        elif kind < 0.88:
            op, size = rng.choice(list(STORES.items()))
            p.asm(f"{op} {rs2}, {rng.randrange(0, 4 * BUF_WORDS, size)}({BUF})")
        elif kind < 0.96:
            skip = p.label()
            p.asm(f"{rng.choice(BRANCHES)} {rs1}, {rs2}, {skip}",
                  f"{rng.choice(R_OPS)} {rd}, {rs1}, {rs2}", f"{skip}:")
        else:
            skip = p.label()
            p.asm(f"jal {rd}, {skip}", f"addi {rs1}, {rs1}, 1", f"{skip}:")
            # make later instructions depend on the link value
            p.asm(f"xor {rs2}, {rs2}, {rd}")
    for r in regs:
        p.out(r, f"random block {index}: {r}")


def generate(seed: int = 1, random_blocks: int = 16) -> Program:
    rng = random.Random(seed)
    p = Program()
    p.lines.append("    .section .text.start")
    p.lines.append("    .globl _start")
    p.lines.append("    .option norelax")
    p.lines.append("_start:")
    p.asm(f"li {IO}, 0x80000000", f"la {BUF}, buf")
    # x31 and x30 as operands, before they take their fixed roles
    p.asm("li x30, 7", "li x31, 5", "add x1, x30, x31", "sub x30, x31, x30", "add x2, x30, x0",
          f"li {IO}, 0x80000000", f"la {BUF}, buf")
    p.out("x1", "add with x30, x31 as sources")
    p.out("x2", "sub into x30")
    alu_tests(p, rng)
    branch_tests(p, rng)
    jump_tests(p, rng)
    memory_tests(p, rng)
    for i in range(random_blocks):
        random_block(p, rng, i)
    # the whole buffer, after all the stores above
    for w in range(BUF_WORDS):
        p.asm(f"lw x5, {4 * w}({BUF})")
        p.out("x5", f"final buffer word {w}")
    for i in range(1, 32):
        p.out(f"x{i}", f"final x{i}")
    p.asm("li x1, 0x2a", f"sw x1, 0({IO})", f"sw x0, 8({IO})")
    p.asm("1:", "j 1b")
    p.lines.append("    .data")
    p.lines.append("    .balign 4")
    p.lines.append("buf:")
    pattern = [(0x80 + 0x11 * i) & 0xFF for i in range(4 * BUF_WORDS)]
    for w in range(BUF_WORDS):
        b = pattern[4 * w : 4 * w + 4]
        p.lines.append(f"    .word {int.from_bytes(bytes(b), 'little'):#010x}")
    return p


if __name__ == "__main__":
    print(generate().text(), end="")
