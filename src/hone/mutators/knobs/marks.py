"""Knobs: numeric literals marked with the range they may take.

A line `LR = 0.01  # hone: knob 1e-4..1 log` makes its one numeric literal a knob between the
two bounds (inclusive), searched on a log scale with `log`. An int literal is an int knob (its
bounds must be ints); any other literal is a float knob. A `-` right before the literal (`X =
-0.5  # hone: knob -1..1`) belongs to it. A knob is named by its file and line (`knob.py:3`),
and shown by the name assigned on its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hone.mutators.knobs.sites import (
    MARK_FIXED,
    MARK_KNOB,
    Site,
    assigned_name,
    format_float,
    parse_number,
    read_sites,
)

_BOUND = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_MARK = re.compile(rf"{MARK_KNOB}\s+({_BOUND})\s*\.\.\s*({_BOUND})((?:\s+\w+)*)")
_FLAGS = frozenset({"log"})


class KnobError(ValueError):
    """A knob mark that cannot be used (one line, naming the file and line)."""


@dataclass(frozen=True)
class Knob:
    """One marked literal and its range. `key` (file:line) names it across attempts."""

    site: Site
    name: str
    low: float
    high: float
    log: bool
    is_int: bool

    @property
    def key(self) -> str:
        return f"{self.site.path}:{self.site.line}"

    @property
    def value(self) -> int | float:
        value = parse_number(self.site.text)
        assert value is not None
        return value

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    def text(self, value: float) -> str:
        """The literal to write for `value`, clamped into the range."""
        value = min(max(value, self.low), self.high)
        if self.is_int:
            return str(round(value))
        text = format_float(value)  # 6 digits may round past a bound with more of them
        return text if self.contains(float(text)) else repr(float(value))


def find_knobs(root: Path, files: list[str]) -> list[Knob]:
    """Every knob of the files, in file and line order; raises KnobError for a mark that does
    not parse, holds no literal or more than one, or whose range does not fit its literal."""
    knobs = []
    for file in read_sites(root, files):
        by_line: dict[int, list[Site]] = {}
        for site in file.sites:
            by_line.setdefault(site.line, []).append(site)
        for number, line in enumerate(file.lines, 1):
            if MARK_KNOB in line and MARK_FIXED not in line:
                knobs.append(_knob(file.path, number, line, by_line.get(number, [])))
    return knobs


def _knob(path: str, number: int, line: str, sites: list[Site]) -> Knob:
    where = f"{path}:{number}"
    mark = _MARK.search(line)
    if mark is None:
        raise KnobError(f"{where}: a knob mark reads '{MARK_KNOB} LOW..HIGH [log]'")
    if len(sites) != 1:
        raise KnobError(f"{where}: a knob line must hold exactly one numeric literal "
                        f"(found {len(sites)})")
    site = _signed(sites[0], line)
    low, high = float(mark.group(1)), float(mark.group(2))
    flags = set(mark.group(3).split())
    value = parse_number(site.text)
    is_int = isinstance(value, int)
    if flags - _FLAGS:
        raise KnobError(f"{where}: unknown knob flag {sorted(flags - _FLAGS)[0]!r} "
                        "(choose from log)")
    if not low < high:
        raise KnobError(f"{where}: a knob's range needs LOW < HIGH")
    if "log" in flags and low <= 0:
        raise KnobError(f"{where}: a log knob's range must be above 0")
    if is_int and not (low.is_integer() and high.is_integer()):
        raise KnobError(f"{where}: an int knob needs int bounds")
    return Knob(site, assigned_name(line, site.col) or where, low, high, "log" in flags, is_int)


def _signed(site: Site, line: str) -> Site:
    """The site with the `-` that negates it, when one stands right before the literal."""
    before = line[:site.col]
    if before.endswith("-") and before[:-1].rstrip()[-1:] in ("", "=", "(", "[", ",", ":"):
        return Site(site.path, site.line, site.col - 1, "-" + site.text)
    return site
