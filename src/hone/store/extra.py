"""The journal's `extra` JSON column: an attempt's typed sub-records under the key names hone
has always written, so journals of older versions load unchanged and unknown keys survive."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hone.records import (
    Attempt,
    CodeStats,
    Cost,
    DecisionRecord,
    GateFlake,
    Hints,
    Lineage,
    Noise,
    Placement,
    Review,
    ReviewAction,
    VettingRecord,
)

_COST = ("tokens_in", "tokens_out", "usd", "model", "llm_calls")
_CODE = ("lines_added", "lines_removed", "files_touched", "complexity")
_LINEAGE = ("diff_key", "tree")
_VETTING = ("audit", "gain", "reverified", "holdout", "overfit", "held_back", "holdout_final",
            "corroboration")
_HINTS = ("explore", "stuck", "category", "island", "pick")
_OTHER = ("decision", "eval", "noise", "noise_warning", "asked", "told", "feedback",
          "flaky_gates", "retry_of", "review", "repair_of")
KNOWN = frozenset(_COST + _CODE + _LINEAGE + _VETTING + _HINTS + _OTHER)


def encode(a: Attempt) -> dict[str, Any]:
    """The `extra` object of `a`: its notes, then every sub-record value that is set."""
    out: dict[str, Any] = dict(a.notes)
    if a.cost is not None:
        c = a.cost
        out.update(tokens_in=c.tokens_in, tokens_out=c.tokens_out, usd=c.usd)
        if c.model:
            out["model"] = c.model
        if c.calls:
            out["llm_calls"] = c.calls
    _set(out, lines_added=a.code.lines_added, lines_removed=a.code.lines_removed,
         files_touched=a.code.files_touched, complexity=a.code.complexity)
    _set(out, diff_key=a.lineage.diff_key or None, tree=a.lineage.tree or None)
    v = a.vetting
    _set(out, audit=v.audit, gain=v.gain, reverified=v.reverified, holdout=v.holdout,
         overfit=v.overfit or None, held_back=v.held_back or None, holdout_final=v.holdout_final,
         corroboration=v.corroboration)
    out.update(a.hints.to_json())
    if a.decision is not None:
        out["decision"] = a.decision.to_json()
    if a.placement is not None:
        p = a.placement
        out["eval"] = {"slot": p.slot, "host": p.host, "start": p.start, "end": p.end}
    if a.noise is not None:
        out["noise"] = a.noise.floor
        if a.noise.warning:
            out["noise_warning"] = a.noise.warning
    _set(out, asked=a.asked or None, told=a.told or None, feedback=a.feedback or None,
         retry_of=a.retry_of, repair_of=a.repair_of, flaky_gates=_flakes_json(a.flakes))
    return _with_review(out, a)


def _with_review(out: dict[str, Any], a: Attempt) -> dict[str, Any]:
    if a.review is not None:
        out["review"] = a.review.to_json()
    return out


def _flakes_json(flakes: tuple[GateFlake, ...]) -> list[dict[str, Any]] | None:
    return [{"gate": f.gate, "passed": f.passed, "runs": f.runs} for f in flakes] or None


def decode(extra: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of `Attempt` that `extra` holds (lenient: a value of the wrong
    type in an old row reads as unset, and the row's unknown keys become `notes`)."""
    fields: dict[str, Any] = {"notes": {k: v for k, v in extra.items() if k not in KNOWN}}
    keys = extra.keys()
    # Sub-records of which the row holds nothing keep their defaults: reading a long history
    # decodes every row once, and most rows (failed, duplicate) carry only a few keys.
    for names, read in _READERS:
        if not keys.isdisjoint(names):
            fields.update(read(extra))
    return fields


def _cost(extra: dict[str, Any]) -> dict[str, Any]:
    if extra.keys().isdisjoint(("tokens_in", "tokens_out", "usd")):  # a model name alone
        return {}
    return {"cost": Cost(int(_num(extra.get("tokens_in")) or 0),
                         int(_num(extra.get("tokens_out")) or 0),
                         _num(extra.get("usd")) or 0.0, str(extra.get("model") or ""),
                         int(_num(extra.get("llm_calls")) or 0))}


def _code(extra: dict[str, Any]) -> dict[str, Any]:
    return {"code": CodeStats(_int(extra.get("lines_added")), _int(extra.get("lines_removed")),
                              _int(extra.get("files_touched")), _dict(extra.get("complexity")))}


def _lineage(extra: dict[str, Any]) -> dict[str, Any]:
    return {"lineage": Lineage(str(extra.get("diff_key") or ""), str(extra.get("tree") or ""))}


def _vetting(extra: dict[str, Any]) -> dict[str, Any]:
    audit = extra.get("audit")
    return {"vetting": VettingRecord(
        [f for f in audit if isinstance(f, dict)] if isinstance(audit, list) else None,
        _num(extra.get("gain")), _dict(extra.get("reverified")), _dict(extra.get("holdout")),
        bool(extra.get("overfit")), bool(extra.get("held_back")),
        _dict(extra.get("holdout_final")), _dict(extra.get("corroboration")))}


def _hints(extra: dict[str, Any]) -> dict[str, Any]:
    return {"hints": Hints(_str(extra.get("explore")), _int(extra.get("stuck")),
                           _str(extra.get("category")), _int(extra.get("island")),
                           _str(extra.get("pick")))}


def _decision(extra: dict[str, Any]) -> dict[str, Any]:
    decision = _dict(extra.get("decision"))
    return {} if decision is None else {"decision": DecisionRecord.from_json(decision)}


def _placement(extra: dict[str, Any]) -> dict[str, Any]:
    where = _dict(extra.get("eval"))
    if where is None:
        return {}
    return {"placement": Placement(str(where.get("slot", "")), str(where.get("host", "")),
                                   _num(where.get("start")), _num(where.get("end")))}


def _noise(extra: dict[str, Any]) -> dict[str, Any]:
    noise = _dict(extra.get("noise"))
    if noise is None:
        return {}
    return {"noise": Noise(noise, str(extra.get("noise_warning") or ""))}


def _feedback(extra: dict[str, Any]) -> dict[str, Any]:
    return {"feedback": str(extra.get("feedback") or "")}


def _retry(extra: dict[str, Any]) -> dict[str, Any]:
    flakes = extra.get("flaky_gates")
    return {"retry_of": _int(extra.get("retry_of")), "flakes": tuple(
        GateFlake(str(f.get("gate", "")), _int(f.get("passed")) or 0, _int(f.get("runs")) or 0)
        for f in (flakes if isinstance(flakes, list) else []) if isinstance(f, dict))}


def _repair(extra: dict[str, Any]) -> dict[str, Any]:
    return {"repair_of": _int(extra.get("repair_of"))}


def _review(extra: dict[str, Any]) -> dict[str, Any]:
    r = _dict(extra.get("review"))
    if r is None or r.get("action") not in {a.value for a in ReviewAction}:
        return {}
    return {"review": Review(ReviewAction(r["action"]), str(r.get("by") or ""),
                             _num(r.get("at")) or 0.0, str(r.get("was") or ""),
                             _int(r.get("source")), str(r.get("note") or ""))}


def _flags(extra: dict[str, Any]) -> dict[str, Any]:
    return {"asked": bool(extra.get("asked")), "told": bool(extra.get("told"))}


_READERS: tuple[tuple[tuple[str, ...], Callable[[dict[str, Any]], dict[str, Any]]], ...] = (
    (_COST, _cost), (_CODE, _code), (_LINEAGE, _lineage), (_VETTING, _vetting),
    (_HINTS, _hints), (("decision",), _decision), (("eval",), _placement),
    (("noise",), _noise), (("asked", "told"), _flags), (("feedback",), _feedback),
    (("flaky_gates", "retry_of"), _retry), (("review",), _review), (("repair_of",), _repair))


def _set(out: dict[str, Any], **values: Any) -> None:
    out.update((k, v) for k, v in values.items() if v is not None)


def _num(value: Any) -> float | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    return float(value) if ok else None


def _int(value: Any) -> int | None:
    number = _num(value)
    return None if number is None else int(number)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _dict(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None
