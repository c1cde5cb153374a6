"""An equivalent variant of rtl/ for hone's equivalence noise (`[objective] equivalent`).

Renames every internal `reg`, `wire`, `logic` and `integer` of rtl/*.v and rtl/*.sv (N:
$HONE_VARIANT or the first argument): `pc` becomes `s<tag>_pc_v<N>`, where the tag is drawn
from N and the name, so that each variant orders and hashes the names differently. The same
circuit, other names. Place and route is chaotic in such names (a renamed signal moved Fmax by
several percent), and the spread over these variants is the margin a kept change must beat.
(A plain suffix `_v<N>` on every name kept their order: four such variants placed exactly
alike.) Ports, and names used as `.name(` connections, stay as they are.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from pathlib import Path

DECLARATION = re.compile(r"^\s*(?:reg|wire|logic|integer)\b(?:\s+signed)?\s*(?:\[[^\]]*\])?"
                         r"\s*([^;=]*)", re.MULTILINE)
PORT = re.compile(r"\b(?:input|output|inout)\b[^;,)]*?\b([A-Za-z_]\w*)\s*(?=[,;)]|$)",
                  re.MULTILINE)
CONNECTION = re.compile(r"\.([A-Za-z_]\w*)\s*\(")


def internal_names(texts: list[str]) -> set[str]:
    names: set[str] = set()
    for text in texts:
        for match in DECLARATION.finditer(text):
            for item in match.group(1).split(","):
                word = re.match(r"\s*([A-Za-z_]\w*)", item)
                if word:
                    names.add(word.group(1))
    kept = {m.group(1) for t in texts for m in PORT.finditer(t)}
    kept |= {m.group(1) for t in texts for m in CONNECTION.finditer(t)}
    return names - kept


def renamed(name: str, variant: str) -> str:
    tag = hashlib.sha256(f"{variant}:{name}".encode()).hexdigest()[:4]
    return f"s{tag}_{name}_v{variant}"


def main() -> int:
    variant = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("HONE_VARIANT", "1")
    files = sorted([*Path("rtl").glob("*.v"), *Path("rtl").glob("*.sv")])
    texts = [f.read_text() for f in files]
    names = internal_names(texts)
    if not names:
        return 0
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, names))) + r")\b")
    for file, text in zip(files, texts, strict=True):
        file.write_text(pattern.sub(lambda m: renamed(m.group(1), variant), text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
