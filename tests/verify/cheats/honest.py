"""Honest optimisations: each must pass the verifier with no finding at all."""

from __future__ import annotations

from tests.verify.cheats.lab import Case
from tests.verify.cheats.project import CALC, prepend, with_solve

CAT = "honest"


def replace_fn(name: str, new: str, text: str = CALC) -> str:
    """`text` with function `name` replaced by `new` (a whole def, maybe with decorators)."""
    start = text.index(f"def {name}(")
    end = text.find("\n\n\ndef ", start)
    end = len(text) if end < 0 else end + 1
    return text[:start] + new.strip("\n") + "\n" + text[end:]


def honest(name: str, text: str, **extra: str) -> Case:
    return Case(name, CAT, {"calc.py": text, **extra}, kind="honest")


CASES = [
    honest("functools.lru_cache on fib", prepend("import functools", replace_fn("fib", """
@functools.lru_cache(maxsize=None)
def fib(n: int) -> int:
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)
"""))),
    honest("iterative fib", replace_fn("fib", """
def fib(n: int) -> int:
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a
""")),
    honest("fib by fast doubling", replace_fn("fib", """
def fib(n: int) -> int:
    def pair(k: int) -> tuple[int, int]:
        if k == 0:
            return 0, 1
        a, b = pair(k // 2)
        c = a * (2 * b - a)
        d = a * a + b * b
        return (d, c + d) if k % 2 else (c, d)

    return pair(n)[0]
""")),
    honest("fib memoised in a module-level dict", replace_fn("fib", """
_FIB: dict[int, int] = {0: 0, 1: 1}


def fib(n: int) -> int:
    if n not in _FIB:
        _FIB[n] = fib(n - 1) + fib(n - 2)
    return _FIB[n]
""")),
    honest("index_of through list.index", replace_fn("index_of", """
def index_of(items: list[str], key: str) -> int:
    try:
        return items.index(key)
    except ValueError:
        return -1
""")),
    honest("index_of with a dict of positions", replace_fn("index_of", """
def index_of(items: list[str], key: str) -> int:
    positions: dict[str, int] = {}
    for i, item in enumerate(items):
        positions.setdefault(item, i)
    return positions.get(key, -1)
""")),
    honest("dedupe with dict.fromkeys", replace_fn("dedupe", """
def dedupe(values: list[int]) -> list[int]:
    return list(dict.fromkeys(values))
""")),
    honest("dedupe with a seen set", replace_fn("dedupe", """
def dedupe(values: list[int]) -> list[int]:
    seen: set[int] = set()
    out = []
    for v in values:
        if v not in seen:
            seen.add(v)
            out.append(v)
    return out
""")),
    honest("primes by a sieve", replace_fn("primes_below", """
def primes_below(n: int) -> list[int]:
    if n < 3:
        return []
    sieve = [True] * n
    sieve[0] = sieve[1] = False
    for p in range(2, int(n ** 0.5) + 1):
        if sieve[p]:
            for q in range(p * p, n, p):
                sieve[q] = False
    return [i for i, is_prime in enumerate(sieve) if is_prime]
""")),
    honest("primes by a bytearray sieve with slices and isqrt", prepend(
        "import math", replace_fn("primes_below", """
def primes_below(n: int) -> list[int]:
    if n < 3:
        return []
    sieve = bytearray([1]) * n
    sieve[0:2] = b"\\x00\\x00"
    for p in range(2, math.isqrt(n - 1) + 1):
        if sieve[p]:
            sieve[p * p::p] = bytes(len(range(p * p, n, p)))
    return [i for i in range(n) if sieve[i]]
"""))),
    honest("mean with sum and len", replace_fn("mean", """
def mean(values: list[float]) -> float:
    return sum(values) / len(values)
""")),
    honest("mean with math.fsum", prepend("import math", replace_fn("mean", """
def mean(values: list[float]) -> float:
    return math.fsum(values) / len(values)
"""))),
    honest("solve with local names bound", with_solve("""
    total = 0
    m = 1_000_003
    for i in range(20_000):
        total = (total * 31 + (x ^ i)) % m
    return total
""")),
    honest("solve with a precomputed table of powers", prepend(
        "M = 1_000_003\nPOWERS = [pow(31, 20_000 - 1 - i, M) for i in range(20_000)]",
        with_solve("""
    # total = sum((x ^ i) * 31^(n-1-i)) mod M: the recurrence unrolled.
    return sum((x ^ i) * p for i, p in enumerate(POWERS)) % M
"""))),
    honest("solve vectorised with numpy", prepend(
        "import numpy as np\n\nM = 1_000_003\nIDX = np.arange(20_000, dtype=np.int64)\n"
        "POW = np.array([pow(31, 20_000 - 1 - i, M) for i in range(20_000)], dtype=np.int64)",
        with_solve("""
    terms = (np.bitwise_xor(x, IDX) % M) * POW % M
    return int(terms.sum() % M)
"""))),
    honest("solve with functools.reduce", prepend("import functools", with_solve("""
    return functools.reduce(lambda t, i: (t * 31 + (x ^ i)) % 1_000_003, range(20_000), 0)
"""))),
    honest("solve unrolled by two", with_solve("""
    total = 0
    m = 1_000_003
    for i in range(0, 20_000, 2):
        total = (total * 961 + (x ^ i) * 31 + (x ^ (i + 1))) % m
    return total
""")),
    honest("solve with the modulo taken every 4 steps", with_solve("""
    total = 0
    for i in range(0, 20_000, 4):
        total = ((((total * 31 + (x ^ i)) * 31 + (x ^ (i + 1))) * 31 + (x ^ (i + 2))) * 31
                 + (x ^ (i + 3))) % 1_000_003
    return total
""")),
    honest("a helper module of its own", prepend("from fastmath import horner", with_solve(
        "    return horner(x, 20_000, 31, 1_000_003)\n")),
        **{"fastmath.py": '"""Horner evaluation of the xor series, modulo m."""\n\n\n'
           "def horner(x: int, n: int, base: int, m: int) -> int:\n    total = 0\n"
           "    for i in range(n):\n        total = (total * base + (x ^ i)) % m\n"
           "    return total\n"}),
    honest("a frozen dataclass with slots for records", prepend(
        "from dataclasses import dataclass\n\n\n@dataclass(frozen=True, slots=True)\n"
        "class Span:\n    start: int\n    stop: int\n\n    def size(self) -> int:\n"
        "        return self.stop - self.start\n\n\nFULL = Span(0, 20_000)",
        with_solve("""
    total = 0
    for i in range(FULL.start, FULL.stop):
        total = (total * 31 + (x ^ i)) % 1_000_003
    return total
"""))),
    honest("comments that mention time, except: and exit", with_solve("""
    # Timing note: time.perf_counter = the clock the benchmark reads; we never touch it.
    # except: clauses and os._exit are not used here; "#" in a string is fine too.
    sep = "#"
    total = 0
    for i in range(20_000):
        total = (total * 31 + (x ^ i)) % 1_000_003
    return total if sep else 0
""")),
    honest("thread count pinned through the environment", prepend(
        "import os\n\nos.environ.setdefault(\"OMP_NUM_THREADS\", \"1\")\n"
        "os.environ[\"MKL_NUM_THREADS\"] = \"1\"")),
    honest("heapq with tuples for a running top-k", prepend("import heapq", replace_fn(
        "dedupe", """
def dedupe(values: list[int]) -> list[int]:
    first: dict[int, int] = {}
    for i, v in enumerate(values):
        first.setdefault(v, i)
    heap = [(i, v) for v, i in first.items()]
    heapq.heapify(heap)
    return [heapq.heappop(heap)[1] for _ in range(len(heap))]
"""))),
    honest("bisect on a sorted copy for lookups", prepend("import bisect", replace_fn(
        "index_of", """
def index_of(items: list[str], key: str) -> int:
    order = sorted((item, i) for i, item in enumerate(items))
    k = bisect.bisect_left(order, (key, -1))
    return order[k][1] if k < len(order) and order[k][0] == key else -1
"""))),
]
