"""The data a Python script reads: string literals of its source that are tracked paths.

`open("data/inputs.txt")`, `Path("data") / "x.csv"`, `os.path.join("data", ...)` and a
default such as `default="cases.jsonl"` all leave a literal that names a tracked file or a
folder of them. Only data counts: a literal naming source code (`packing.py`, or a folder that
holds code such as `sys.path.insert(0, "src")`) is most likely the candidate itself.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

# Files whose extension says "program text", never protected as data a script reads.
CODE_SUFFIXES = frozenset({
    ".py", ".pyi", ".pyx", ".pxd", ".c", ".h", ".cc", ".cpp", ".cxx", ".hpp", ".cu", ".rs", ".go",
    ".java", ".kt", ".scala", ".js", ".mjs", ".ts", ".tsx", ".rb", ".jl", ".r", ".lua", ".swift",
    ".zig", ".v", ".sv", ".svh", ".vh", ".vhd", ".vhdl", ".sh", ".bash", ".pl", ".php", ".m",
    ".f90"
})


def is_code(path: str) -> bool:
    return Path(path).suffix.lower() in CODE_SUFFIXES


def literals(source: str) -> list[str]:
    """Every string constant of a Python source, in source order; [] when it does not
    parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return []
    out: list[str] = []
    strings = [n for n in ast.walk(tree) if isinstance(n, ast.Constant)
               and isinstance(n.value, str)]
    for node in sorted(strings, key=lambda n: (n.lineno, n.col_offset)):
        if isinstance(node.value, str):
            text = node.value.strip()
            if text and len(text) < 300 and "\n" not in text and text not in out:
                out.append(text)
    return out


def data_read_by(root: Path, script: str, tracked: Iterable[str]) -> list[str]:
    """The tracked data files and data folders (`folder/`) that the script at `script`
    (relative to `root`) names in string literals, relative to the repository root or to the
    script's own folder."""
    try:
        source = (root / script).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    tracked = frozenset(tracked)
    here = str(Path(script).parent)
    found: list[str] = []
    for text in literals(source):
        for base in dict.fromkeys(["", "" if here == "." else here]):
            path = _data_path(f"{base}/{text}" if base else text, tracked)
            if path and path != script and path not in found:
                found.append(path)
    return found


def _data_path(text: str, tracked: frozenset[str]) -> str:
    """`text` as a tracked data file, or a folder (`folder/`) of tracked files none of which
    is code; '' otherwise."""
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if not parts or ".." in parts or text.startswith(("/", "~")):
        return ""
    rel = "/".join(parts)
    if rel in tracked:
        return "" if is_code(rel) else rel
    inside = [t for t in tracked if t.startswith(rel + "/")]
    if inside and not any(is_code(t) for t in inside):
        return rel + "/"
    return ""
