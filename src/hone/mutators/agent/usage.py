"""What a coding agent's output says about its work: its answer text, tokens and dollars.

Read from the formats the common CLIs print: Claude Code `--output-format json` (or
`stream-json`: a `result` object with `total_cost_usd` and `usage`), Codex `exec --json`
(`turn.completed` events with `usage`, `agent_message` items), OpenCode `run --format json`
(`step_finish` parts with `tokens` and `cost`, `text` parts) and Aider's plain
`Tokens: 2.1k sent, 300 received. Cost: $0.01 message, $0.02 session.` lines. Anything else is
plain text: no figures, the whole output is the answer.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

_AIDER = re.compile(r"^Tokens: (?P<sent>[\d.]+k?) sent,.*?(?P<received>[\d.]+k?) received\."
                    r"(?: Cost: \$[\d.]+ message, \$(?P<session>[\d.]+) session\.)?",
                    re.MULTILINE)


@dataclass
class AgentReport:
    """What one agent run reported. `usd` is None when the agent named no dollar figure;
    `reported` says whether it named any figure at all (else no cost is recorded)."""

    texts: list[str] = field(default_factory=list)
    tokens_in: int = 0
    tokens_out: int = 0
    usd: float | None = None
    model: str = ""
    calls: int = 0
    reported: bool = False

    @property
    def text(self) -> str:
        """The agent's answer: its messages and every line that was not a JSON event."""
        return "\n".join(t for t in self.texts if t)

    def add_usd(self, value: Any) -> None:
        if isinstance(value, int | float) and not isinstance(value, bool):
            self.usd = (self.usd or 0.0) + float(value)
            self.reported = True

    def add_tokens(self, tokens_in: Any, tokens_out: Any) -> None:
        self.tokens_in += _int(tokens_in)
        self.tokens_out += _int(tokens_out)
        self.calls += 1
        self.reported = True


def _int(value: Any) -> int:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def _table(event: dict[str, Any], key: str) -> dict[str, Any]:
    value = event.get(key)
    return value if isinstance(value, dict) else {}


def _sum(table: Any, *keys: str) -> int:
    return sum(_int(table.get(k)) for k in keys) if isinstance(table, dict) else 0


def read_report(stdout: str) -> AgentReport:
    """The report in an agent's stdout (see the module docstring for the formats)."""
    report = AgentReport()
    for line in stdout.splitlines():
        event = _json_object(line)
        if event is None:
            report.texts.append(line)
        else:
            _read_event(event, report)
    _read_aider(stdout, report)
    return report


def _json_object(line: str) -> dict[str, Any] | None:
    text = line.strip()
    if not (text.startswith("{") and text.endswith("}")):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _read_event(event: dict[str, Any], report: AgentReport) -> None:
    kind = event.get("type")
    part, item = _table(event, "part"), _table(event, "item")
    if kind == "result":  # Claude Code: the whole run in one object
        usage = event.get("usage")
        report.add_tokens(_sum(usage, "input_tokens", "cache_creation_input_tokens",
                               "cache_read_input_tokens"), _sum(usage, "output_tokens"))
        report.calls += _int(event.get("num_turns")) - 1
        report.add_usd(event.get("total_cost_usd"))
        models = event.get("modelUsage")
        report.model = next(iter(models), "") if isinstance(models, dict) else ""
        report.texts.append(str(event.get("result") or ""))
    elif kind == "turn.completed":  # Codex: input_tokens include the cached ones
        usage = event.get("usage")
        report.add_tokens(_sum(usage, "input_tokens"), _sum(usage, "output_tokens"))
    elif kind == "item.completed" and item.get("type") == "agent_message":
        report.texts.append(str(item.get("text") or ""))
    elif kind == "step_finish":  # OpenCode: one model call
        tokens = _table(part, "tokens")
        report.add_tokens(_sum(tokens, "input") + _sum(tokens.get("cache"), "read", "write"),
                          _sum(tokens, "output", "reasoning"))
        report.add_usd(part.get("cost"))
    elif kind == "text" and part:
        report.texts.append(str(part.get("text") or ""))


def _read_aider(stdout: str, report: AgentReport) -> None:
    session = None
    for match in _AIDER.finditer(stdout):
        report.add_tokens(_count(match["sent"]), _count(match["received"]))
        session = match["session"] or session
    if session is not None:  # the session's running total: the last one is the whole run
        report.add_usd(float(session))


def _count(text: str) -> int:
    """Aider's rounded counts: `300`, `2.1k`, `12k`."""
    return round(float(text[:-1]) * 1000) if text.endswith("k") else round(float(text))
