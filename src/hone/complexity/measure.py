"""What the editable code costs: lines of code and cyclomatic complexity, via lizard.

lizard parses C/C++, Python, Java, Go, Rust, JavaScript and a score more; for files it cannot
parse (Verilog, shell, config) the figure is their non-blank lines and no complexity. Results
are cached per git blob, so an attempt only analyses the files it changed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from hone.safe_read import read_capped

MAX_BYTES = 1_000_000


@dataclass(frozen=True)
class Complexity:
    """Totals over the editable files: non-comment lines, cyclomatic complexity, functions."""

    nloc: int = 0
    ccn: int = 0
    functions: int = 0
    files: int = 0

    def __add__(self, other: Complexity) -> Complexity:
        return Complexity(self.nloc + other.nloc, self.ccn + other.ccn,
                          self.functions + other.functions, self.files + other.files)

    def to_json(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Complexity | None:
        if not data:
            return None
        return cls(int(data.get("nloc", 0)), int(data.get("ccn", 0)),
                   int(data.get("functions", 0)), int(data.get("files", 0)))


def measure_text(path: str, text: str) -> Complexity:
    """The complexity of one file's text; `path` picks the language."""
    import lizard

    if lizard.get_reader_for(path) is None:
        return Complexity(sum(1 for line in text.splitlines() if line.strip()), 0, 0, 1)
    info = lizard.analyze_file.analyze_source_code(path, text)
    return Complexity(int(info.nloc), sum(int(f.cyclomatic_complexity)
                                          for f in info.function_list),
                      len(info.function_list), 1)


class ComplexityMeter:
    """Measures checked-out trees; remembers each blob it has seen."""

    def __init__(self) -> None:
        self._cache: dict[str, Complexity] = {}

    def measure(self, root: Path, blobs: dict[str, str]) -> Complexity:
        """Total over `blobs` (path -> blob id) as checked out under `root`."""
        total = Complexity()
        for path, blob in sorted(blobs.items()):
            if blob not in self._cache:
                self._cache[blob] = self._file(root / path, path)
            total = total + self._cache[blob]
        return total

    @staticmethod
    def _file(file: Path, path: str) -> Complexity:
        data = read_capped(file, MAX_BYTES)  # never a symlink, a device or a huge file
        if data is None or b"\0" in data[:8192]:
            return Complexity()  # binary
        return measure_text(path, data.decode("utf-8", errors="replace"))
