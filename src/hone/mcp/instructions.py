"""The instructions a coding agent reads to drive hone: the run's goal, files and checks (from
its config), the ask -> edit -> tell loop, the rules and when to stop.

Assembled from typed sections; the holdout is never named (the proposer must not see it), so
the protected list is `[files] protect` and the config file, not the guard's full list.
"""

from __future__ import annotations

from dataclasses import dataclass

from hone.config.load import CONFIG_FILE
from hone.config.model import Config
from hone.direction import Direction

# Attempts in a row that were not kept after which the agent stops and reports.
STOP_AFTER = 10


@dataclass(frozen=True)
class RunFacts:
    """What the instructions say about one run, taken from its config."""

    goal: str
    objective: str
    score: str
    direction: Direction
    gates: tuple[tuple[str, str], ...]  # (name, command), in the order they run
    editable: tuple[str, ...]
    protected: tuple[str, ...]

    @classmethod
    def of(cls, config: Config) -> RunFacts:
        protected = [CONFIG_FILE, *(p for p in config.files.protect if p != CONFIG_FILE)]
        return cls(config.run.goal, config.objective.run, config.objective.score,
                   config.objective.direction, tuple((g.name, g.run) for g in config.gates),
                   tuple(config.files.editable), tuple(protected))


def _items(values: tuple[str, ...], empty: str) -> list[str]:
    return [f"- `{v}`" for v in values] or [f"- {empty}"]


def run_section(facts: RunFacts) -> list[str]:
    better = "higher" if facts.direction is Direction.MAX else "lower"
    gates = [f"- `{name}`: `{command}`" for name, command in facts.gates]
    return ["## The run", "", facts.goal, "",
            f"Score: `{facts.score}` as printed by `{facts.objective}`; {better} is better.",
            "", "Gates (each must pass, in this order, before the score counts):",
            *(gates or ["- none"]), "", "Files you may edit:",
            *_items(facts.editable, "every tracked file that is not protected"), "",
            "Protected (never edit; an attempt that touches one is rejected):",
            *_items(facts.protected, "none")]


LOOP = """## The loop: ask, edit, tell

Use the MCP server `hone` (tools `ask`, `tell`, `status`, `show`, `best`, `report`) when your
host has it; otherwise the same steps in a shell, in the repository's root:

1. Reserve an attempt. It prints the attempt's `id`, its `workdir` (a fresh checkout of the
   parent) and `brief` (a file: the goal, the files, the history, the lessons so far):
   ```sh
   hone ask --json
   ```
2. Read the brief. Choose one idea that the history has not tried, and make it by editing files
   in `workdir` only.
3. Tell hone. It commits what you changed in `workdir`, runs the gates and the objective and
   prints the attempt's `status` (kept, discarded, failed, rejected or duplicate), its `score`,
   the champion's score and the `reason`:
   ```sh
   hone tell <ID> --hypothesis "<what you changed and why>" --json
   ```
4. Read the status and the reason, then go back to 1. A kept attempt is the new champion; the
   next `ask` starts from it.

To look back at the run:
```sh
hone status --json
hone show <ID> --json
hone best --json
```"""

RULES = """## Rules

- Edit files only in the attempt's `workdir`: never the repository itself, never `.hone/`.
- Never edit a protected file, the gates or the objective; an attempt that does is rejected.
- One idea per attempt, so that its result says whether that idea works.
- Before each idea read the brief's history: every attempt's metrics and why it failed or was
  discarded (the metric it lost on). A tried idea is not forbidden: take it up again only with a
  change that addresses why it ended.
- Tell every attempt you ask for, even one you give up (tell it unchanged: it is recorded as
  failed, with its reason).
- `hone approve`, `hone veto`, `hone best --branch` and editing `hone.toml` are the user's."""


def stop_section() -> str:
    return f"""## When to stop

Stop when the number of attempts the user gave you is used up, when {STOP_AFTER} attempts in a row
were not kept, or when the user asks. Then run `hone best --json` and tell the user the
champion's id, its score and its gain over the baseline; `hone best --branch NAME` (theirs to
run) turns it into an ordinary git branch."""


def instructions(facts: RunFacts) -> str:
    """The body every agent host gets: intro, run, loop, rules, stop (Markdown)."""
    intro = ("# Improving this repository with hone\n\n"
             "hone keeps only the changes that make this repository measurably better: you "
             "propose a change, hone verifies it (the gates, then the objective) and keeps it "
             "only if it is truly better than the champion, the best attempt so far.")
    return "\n\n".join([intro, "\n".join(run_section(facts)), LOOP, RULES,
                        stop_section()]) + "\n"
