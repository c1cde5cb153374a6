"""Why an attempt ended, in one line: the most telling log line of a failure."""

from __future__ import annotations

from hone.loop.outcome import telling_line, why
from hone.records import Attempt, Status

PYTEST = """\
tests/test_sum.py F                                                      [100%]
    def test_sum():
>       assert total([1, 2]) == 4
E       assert 3 == 4
E        +  where 3 = total([1, 2])
FAILED tests/test_sum.py::test_sum - assert 3 == 4
1 failed in 0.03s
"""


def test_the_most_telling_line_of_a_log() -> None:
    assert telling_line(PYTEST) == "FAILED tests/test_sum.py::test_sum - assert 3 == 4"
    assert telling_line("building...\nerror: unknown module 'alu'\nmake: *** [all] 2\n") == (
        "error: unknown module 'alu'")
    assert telling_line('Traceback (most recent call last):\n  File "x.py", line 1\n'
                        "    assert ok\nAssertionError\n") == "assert ok (AssertionError)"
    assert telling_line("3 of 5 vectors: mismatch at cycle 17\ndone\n") == (
        "3 of 5 vectors: mismatch at cycle 17")
    assert telling_line("all good\n") == ""


def test_why_says_stage_reason_and_log() -> None:
    failed = Attempt("r", 3, 1, None, Status.FAILED, stage="gate:tests",
                     reason="gate:tests exited with code 1", log_tail=PYTEST)
    assert why(failed) == ("gate:tests exited with code 1: FAILED tests/test_sum.py::test_sum"
                           " - assert 3 == 4")
    timeout = Attempt("r", 4, 1, None, Status.FAILED, stage="objective", reason="timed out")
    assert why(timeout) == "objective: timed out"
    lost = Attempt("r", 5, 1, "c", Status.DISCARDED, reason="deterministic: worse by -0.20%")
    assert why(lost) == "tried: deterministic: worse by -0.20%"
