"""`hone run`'s closing lines point at the run that was just made."""

from __future__ import annotations

from tests.conftest import KNOB_PROJECT, Hone, MakeRepo


def test_closing_hint_names_a_run_that_is_not_the_default(make_repo: MakeRepo,
                                                           hone: Hone) -> None:
    root = make_repo(KNOB_PROJECT)
    assert hone("init", "--objective", "python3 score.py", cwd=root).returncode == 0
    res = hone("run", "--run", "side", "--attempts", "1", cwd=root)
    assert res.returncode == 0, res.stderr
    hint = res.stdout.splitlines()[-1]
    assert hint == f"see: hone status -C {root} --run side   |   hone best --run side --branch NAME"
    res = hone("run", "--attempts", "1", cwd=root)  # the default run needs no --run
    assert res.stdout.splitlines()[-1] == (
        f"see: hone status -C {root}   |   hone best --branch NAME")
