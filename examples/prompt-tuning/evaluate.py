"""Score prompt.txt: run it over the labelled tickets with the configured model.

Prints `accuracy: X` (exact match of `category` and `priority`, over all tickets and both
fields), `parsed: X` (answers that held a JSON object) and, when JUDGE_MODEL is set, `judge: X`
(the mean grade an LLM judge, `hone.judge`, gives the free-form `summary` against the
reference). The model is PROMPT_MODEL, reached through the official openai SDK
(OPENAI_BASE_URL, OPENAI_API_KEY). Exits 1 with one line on stderr when the prompt is unusable
or the API cannot be reached, so hone records the attempt as failed rather than scoring it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIELDS = ("category", "priority")


def load(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def first_json_object(text: str) -> dict[str, object] | None:
    """The first JSON object in the answer, fenced or not; None when there is none."""
    decoder = json.JSONDecoder()
    for m in re.finditer(r"\{", text):
        try:
            obj, _ = decoder.raw_decode(text[m.start():])
        except ValueError:
            continue
        if isinstance(obj, dict):
            return obj
    return None


def norm(value: object) -> str:
    return " ".join(str(value).lower().split()).strip(" .'\"")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--prompt", default=str(HERE / "prompt.txt"))
    ap.add_argument("--data", default=str(HERE / "data.jsonl"))
    ap.add_argument("--model", default=os.environ.get("PROMPT_MODEL", "gpt-4.1-mini"))
    ap.add_argument("--judge", default=os.environ.get("JUDGE_MODEL", ""))
    ap.add_argument("--show", action="store_true", help="print every answer")
    args = ap.parse_args()

    template = Path(args.prompt).read_text()
    if "{ticket}" not in template:
        print("invalid: prompt.txt lost its {ticket} placeholder", file=sys.stderr)
        return 1
    import openai

    client = openai.OpenAI(api_key=os.environ.get("OPENAI_API_KEY") or "none", max_retries=3,
                           timeout=float(os.environ.get("PROMPT_TIMEOUT", "60")))
    judge = None
    if args.judge:
        from hone.judge import Judge

        judge = Judge(args.judge, criteria="Does the summary state the customer's problem "
                      "or request as the reference does?")
    rows = load(Path(args.data))
    correct = parsed = 0
    grades: list[float] = []
    for i, row in enumerate(rows):
        prompt = template.replace("{ticket}", row["ticket"])
        try:
            resp = client.chat.completions.create(
                model=args.model, temperature=0, max_tokens=300,
                messages=[{"role": "user", "content": prompt}])
        except openai.APIError as exc:
            print(f"error: the model could not be reached: {exc}", file=sys.stderr)
            return 1
        answer = resp.choices[0].message.content or ""
        obj = first_json_object(answer)
        if args.show:
            print(f"#{i}: {answer!r}", file=sys.stderr)
        if obj is None:
            grades.append(0.0)
            continue
        parsed += 1
        correct += sum(norm(obj.get(f, "")) == row[f] for f in FIELDS)
        if judge is not None:
            summary = str(obj.get("summary", ""))
            grades.append(judge.grade(row["ticket"], summary, row["summary"]).score
                          if summary.strip() else 0.0)
    print(f"accuracy: {correct / (len(rows) * len(FIELDS)):.6f}")
    print(f"parsed: {parsed / len(rows):.6f}")
    if judge is not None:
        print(f"judge: {sum(grades) / len(grades):.6f}")
        print(f"judge_calls: {judge.calls}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
