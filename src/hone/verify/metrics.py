"""Parse the objective's output into one metric record, or say why it is not one.

Two forms (PRODUCT.md): a JSON object on the last non-empty line, or `name: value` lines where
the last value of each name wins (a training log prints a loss per epoch). Per-case results are
metrics named `cases/NAME`: a JSON record's `"cases": {"NAME": number, ...}` object, or
`cases/NAME: value` lines. A JSON record is a
line holding a JSON object with at least one number. There is exactly one record per run:
a second, different JSON record anywhere in the output, or a `name: value` line whose last
value contradicts a JSON record, is a `MetricsError` (a forged line printed by candidate code
next to the harness's). `name: value` output alone cannot be told from a forgery printed by
code in the same process: only a harness that measures from a separate process defends it.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

_NUM = r"[-+]?(?:[0-9][0-9_]*\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]?inf|nan"
_LINE = re.compile(rf"^\s*([A-Za-z_][A-Za-z0-9_.\-/]*)\s*[:=]\s*({_NUM})\s*$")
_NOT_FINITE = {"inf", "+inf", "-inf", "nan", "infinity", "+infinity", "-infinity"}


class MetricsError(ValueError):
    """The output is not one metric record; the message is one line for the user."""


def parse_metrics(stdout: str) -> dict[str, float]:
    """The metrics of one run (numbers only); raises MetricsError when the output holds more
    than one record, contradicts itself, or a value does not fit a float."""
    lines = [line.strip() for line in stdout.splitlines() if line.strip()]
    records: dict[str, dict[str, float]] = {}
    for line in lines:
        record = _json_record(line)
        if record is not None:
            records.setdefault(line, record)
    named: dict[str, float] = {}
    for line in lines:
        m = _LINE.match(line)
        if m:
            named[m.group(1)] = _to_float(m.group(1), m.group(2).replace("_", ""))
    if len(records) > 1:
        raise MetricsError(f"{len(records)} different JSON metric records in the output; "
                           "exactly one is allowed")
    if records:
        (text, record), = records.items()
        for name, value in named.items():
            if name in record and not _same(value, record[name]):
                raise MetricsError(f"'{name}: {value:g}' contradicts the JSON record "
                                   f"({name} = {record[name]:g})")
        if lines[-1] == text:
            return record
    return named


MAX_FEEDBACK = 2000


def parse_feedback(stdout: str) -> str:
    """The `feedback` text of the JSON metric record on the last non-empty line ('' when
    there is none): what the objective tells the proposer about this run (per-case results,
    a hint), shown in the next brief of the lineage. Only a string counts, cut to
    `MAX_FEEDBACK` characters."""
    lines = [line.strip() for line in stdout.splitlines() if line.strip()]
    if not lines or not lines[-1].startswith("{"):
        return ""
    try:
        obj = json.loads(lines[-1])
    except (ValueError, RecursionError):
        return ""
    text = obj.get("feedback") if isinstance(obj, dict) else None
    return text.strip()[:MAX_FEEDBACK] if isinstance(text, str) else ""


def stdout_text(stdout_path: Path, tail: str, max_bytes: int) -> str:
    """The objective's whole stdout as far as it was kept: the log (its first `max_bytes`),
    plus the rolling tail when the log was cut. A record hidden past the tail's window is
    still seen."""
    try:
        head = stdout_path.read_bytes()
    except OSError:
        return tail
    text = head.decode("utf-8", errors="replace")
    return text + "\n" + tail if len(head) >= max_bytes else text


class _TooBig(str):
    """A JSON number kept as its text: it does not fit a float."""


def _json_int(text: str) -> int | _TooBig:
    # A float holds up to ~1.8e308: longer integers would overflow (or hit Python's limit on
    # digits in int()) instead of being reported.
    return int(text) if len(text.lstrip("-")) <= 308 else _TooBig(text)


def _json_float(text: str) -> float | _TooBig:
    value = float(text)
    return _TooBig(text) if math.isinf(value) else value


def _json_record(line: str) -> dict[str, float] | None:
    if not line.startswith("{"):
        return None
    try:
        obj = json.loads(line, parse_int=_json_int, parse_float=_json_float)
    except (ValueError, RecursionError):
        return None
    if not isinstance(obj, dict):
        return None
    numbers = {str(k): v for k, v in obj.items() if _is_number(v)}
    numbers.update(_cases(obj.get("cases")))
    if not numbers:
        return None
    return {k: _to_float(k, v) for k, v in numbers.items()}


CASES = "cases/"  # the prefix of per-case metrics
MAX_CASES = 200


def _is_number(v: object) -> bool:
    return isinstance(v, int | float | _TooBig) and not isinstance(v, bool)


def _cases(obj: object) -> dict[str, object]:
    """The record's per-case metrics, `"cases": {"NAME": number}`, as metrics `cases/NAME`
    (the first `MAX_CASES` numbers; other values are ignored)."""
    if not isinstance(obj, dict):
        return {}
    found = [(f"{CASES}{k}", v) for k, v in obj.items() if _is_number(v)]
    return dict(found[:MAX_CASES])


def _to_float(name: str, value: object) -> float:
    """`value` as a float; a finite number too large for one is an error, not infinity."""
    text = str(value)
    shown = text if len(text) <= 20 else text[:20] + "..."
    too_big = MetricsError(f"metric {name!r} does not fit a float ({shown})")
    if isinstance(value, _TooBig):
        raise too_big
    try:
        out = float(value)  # type: ignore[arg-type]
    except (OverflowError, ValueError) as exc:
        raise too_big from exc
    if math.isinf(out) and not (isinstance(value, str) and value.lower() in _NOT_FINITE) \
            and not (isinstance(value, float) and math.isinf(value)):
        raise MetricsError(f"metric {name!r} does not fit a float ({str(value)[:20]}...)")
    return out


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0)
