"""The riscv-gowin example: its gates pass on the baseline core and catch broken ones.

Lint, the ISA self-test against the Python ISS and the benchmark checksum run on copies of the
example; a core whose `add` subtracts must fail the ISA gate, also through `hone ask`/`tell`.
One seed of place-and-route (slow) checks the timing flow end to end.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import Hone, git, require_tool

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "riscv-gowin"
sys.path.insert(0, str(EXAMPLE / "scripts"))

from iss import Iss  # noqa: E402

ADD_LINE = "wire        is_sub = (opcode == OP_REG) && alt;"
# `add` now subtracts (as `sub` does); addi and everything else still work.
ADD_IS_SUB = "wire        is_sub = (opcode == OP_REG);"


def copy_example(dest: Path) -> Path:
    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns("build", "__pycache__", ".hone"))
    return dest


def make(example: Path, *targets: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["make", "-s", "--no-print-directory", "-C", str(example), *targets],
                          capture_output=True, text=True, timeout=timeout)


def break_add(example: Path) -> None:
    cpu = example / "rtl" / "cpu.v"
    text = cpu.read_text()
    assert ADD_LINE in text
    cpu.write_text(text.replace(ADD_LINE, ADD_IS_SUB))


def metric(stdout: str, name: str) -> float:
    found = re.findall(rf"^{name}: (\S+)$", stdout, re.M)
    assert found, stdout
    return float(found[-1])


@pytest.fixture(scope="module")
def tools() -> None:
    require_tool("verilator")
    require_tool("riscv64-unknown-elf-gcc")


@pytest.fixture(scope="module")
def baseline(tools: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_example(tmp_path_factory.mktemp("baseline") / "riscv-gowin")


def test_lint_passes_on_the_baseline(baseline: Path) -> None:
    proc = make(baseline, "lint")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "rtl_check: 1 file(s) ok" in proc.stdout


@pytest.mark.slow  # builds the Verilator simulator
def test_isa_self_test_matches_the_iss_on_the_baseline(baseline: Path) -> None:
    proc = make(baseline, "isa")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.findall(r"^isa: seed (\d): (\d+) checks passed", proc.stdout, re.M) == [
        ("1", "604"), ("2", "604"), ("3", "604")]


@pytest.mark.slow  # builds the Verilator simulator when run alone
def test_benchmark_checksum_and_iterations_per_cycle_on_the_baseline(baseline: Path) -> None:
    proc = make(baseline, "bench")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "bench: checksum ok" in proc.stdout
    cycles = metric(proc.stdout, "cycles")
    # ITERATIONS (32) over the cycle count, as printed.
    assert metric(proc.stdout, "iter_per_cycle") == pytest.approx(32 / cycles, rel=1e-5)


@pytest.mark.slow  # builds the Verilator simulator
def test_a_core_whose_add_subtracts_fails_the_isa_gate(tools: None, tmp_path: Path) -> None:
    example = copy_example(tmp_path / "riscv-gowin")
    break_add(example)
    assert make(example, "lint").returncode == 0  # it is still valid Verilog
    proc = make(example, "isa")
    assert proc.returncode != 0
    # The first difference names an `add`, with the expected and the computed value.
    assert re.search(r"^isa: FAIL at check \d+: add ", proc.stdout, re.M), proc.stdout


def test_the_renaming_hook_writes_a_core_with_other_names(tools: None, tmp_path: Path) -> None:
    # `scripts/equivalent.py`, hone's `[objective] equivalent` hook for this example: every
    # internal signal renamed, the ports kept, still lint-clean (the ISA and benchmark gates
    # pass on it too, checked by hand: docs/notes/equivalence.md).
    example = copy_example(tmp_path / "riscv-gowin")
    subprocess.run([sys.executable, "scripts/equivalent.py", "7"], cwd=example, check=True)
    text = (example / "rtl" / "cpu.v").read_text()
    assert re.search(r"reg \[31:0\] s[0-9a-f]{4}_pc_v7;", text), text[:2000]
    assert re.search(r"wire        s[0-9a-f]{4}_is_sub_v7 =", text)
    # Each variant orders the names differently (a plain suffix kept their order).
    other = copy_example(tmp_path / "other")
    subprocess.run([sys.executable, "scripts/equivalent.py", "8"], cwd=other, check=True)
    orders = [[base for _, base in sorted(set(re.findall(r"\bs([0-9a-f]{4})_(\w+)_v\d\b", t)))]
              for t in (text, (other / "rtl" / "cpu.v").read_text())]
    assert sorted(orders[0]) == sorted(orders[1]) and orders[0] != orders[1]
    assert "input  wire        clk," in text and "output wire [31:0] imem_addr," in text
    proc = make(example, "lint")
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow  # builds the Verilator simulator
def test_a_hung_core_stops_at_the_cycle_ceiling(tools: None, tmp_path: Path) -> None:
    example = copy_example(tmp_path / "riscv-gowin")
    cpu = example / "rtl" / "cpu.v"
    cpu.write_text(cpu.read_text().replace("S_FETCH: state <= S_DECODE;",
                                           "S_FETCH: state <= S_FETCH;"))
    proc = make(example, "isa")
    assert proc.returncode != 0
    assert "core wrote 0 of" in proc.stdout and "timed out" in proc.stdout, proc.stdout


@pytest.mark.parametrize("line", ["`ifdef VERILATOR", "initial $display(\"hi\");",
                                  "import \"DPI-C\" function int f();"])
def test_lint_refuses_rtl_that_could_differ_between_simulation_and_fpga(
        tools: None, tmp_path: Path, line: str) -> None:
    example = copy_example(tmp_path / "riscv-gowin")
    (example / "rtl" / "extra.v").write_text(f"// a module\n{line}\n")
    proc = subprocess.run([sys.executable, "scripts/rtl_check.py"], cwd=example,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "rtl_check: rtl/extra.v:2:" in proc.stdout


def test_iss_computes_rv32i_semantics() -> None:
    # addi x1,x0,-5; srai x2,x1,1; sltu x3,x0,x1; lui x4,0x80000; sw x2,4(x4); sw x3,8(x4)
    words = [0xFFB00093, 0x4010D113, 0x001031B3, 0x80000237, 0x00222223, 0x00322423]
    res = Iss(b"".join(w.to_bytes(4, "little") for w in words)).run(max_steps=100)
    assert res.outs == [0xFFFFFFFD]  # -5 >> 1, arithmetic
    assert res.exit_code == 1 and res.steps == 6
    assert res.regs[1] == 0xFFFFFFFB and res.regs[3] == 1


@pytest.mark.slow
def test_iss_runs_the_benchmark_to_the_host_checksum(baseline: Path) -> None:
    # EXPECTED in bench.c comes from the host compiler; the ISS must reproduce it on its own.
    assert make(baseline, "build/bench.hex").returncode == 0
    proc = subprocess.run([sys.executable, "scripts/iss.py", "build/bench.bin"], cwd=baseline,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    source = (baseline / "bench" / "bench.c").read_text()
    expected = re.search(r"#define EXPECTED (0x[0-9a-f]+)u", source)
    assert expected
    assert proc.stdout.splitlines()[:2] == ["out: 0x00000020", f"out: {expected.group(1)}"]


def test_config_edits_only_rtl_and_protects_the_rest() -> None:
    config = tomllib.loads((EXAMPLE / "hone.toml").read_text())
    assert config["files"]["editable"] == ["rtl/**"]
    protect = set(config["files"]["protect"])
    assert {"tb/**", "soc/**", "bench/**", "scripts/**", "constraints/**", "Makefile"} <= protect
    assert [g["name"] for g in config["gates"]] == ["lint", "isa", "bench"]
    assert config["objective"]["seeds"] == [1, 2, 3]
    assert config["objective"]["score"] == "fmax_mhz * iter_per_cycle"
    assert "{seed}" in config["objective"]["run"]


@pytest.mark.slow
def test_hone_tell_fails_a_broken_add_at_the_isa_gate(tools: None, tmp_path: Path,
                                                    hone: Hone) -> None:
    repo = copy_example(tmp_path / "riscv-gowin")
    # The example's own gates; the objective is cut to its simulation half so that the
    # baseline run that `hone ask` starts with takes seconds instead of place-and-route.
    config = repo / "hone.toml"
    text = config.read_text()
    run_line = re.search(r'^run = "make -s --no-print-directory objective SEED=\{seed\}"$',
                         text, re.M)
    assert run_line
    text = text.replace(run_line.group(0), 'run = "make -s --no-print-directory bench"')
    config.write_text(text.replace('score = "fmax_mhz * iter_per_cycle"',
                                   'score = "iter_per_cycle"'))
    git("init", "-q", "-b", "main", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "baseline", cwd=repo)

    asked = hone("ask", "--json", cwd=repo)
    assert asked.returncode == 0, asked.stderr
    info = json.loads(asked.stdout)
    break_add(Path(info["workdir"]))
    told = hone("tell", str(info["id"]), "--hypothesis", "add through the subtractor",
                "--json", cwd=repo)
    assert told.returncode == 0, told.stderr
    result = json.loads(told.stdout)
    assert result["status"] == "failed"
    assert result["reason"].startswith("gate:isa"), result
    assert result["score"] is None and result["champion_score"] > 0

    shown = json.loads(hone("show", str(info["id"]), "--json", cwd=repo).stdout)
    assert "isa: FAIL at check" in json.dumps(shown)


@pytest.mark.slow
def test_one_seed_of_place_and_route_scores_the_baseline(baseline: Path) -> None:
    proc = make(baseline, "objective", "SEED=1", timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    fmax = metric(proc.stdout, "fmax_mhz")
    ipc = metric(proc.stdout, "iter_per_cycle")
    assert 20 < fmax < 500
    assert 1000 < metric(proc.stdout, "luts") < 20736  # LUT4s of the GW2A-18
    assert metric(proc.stdout, "score") == pytest.approx(fmax * ipc, rel=1e-3)
