"""Keep the real-article development set's texts in a local cache, outside git.

The texts are third-party pages: only their url, query, sha256, length and our annotations
are committed (``records/*.jsonl``). The texts themselves are re-gathered with the search
tool's ``pages`` corpus (the exact ``query`` of each record returns it) into ``cache/``,
which git ignores.

    python eval/realdev/gather.py save ID FILE   # FILE holds the excerpt as a JSON string literal
    python eval/realdev/gather.py verify         # every cached text matches its sha256; phrases found
    python eval/realdev/gather.py missing        # records whose text is not cached yet (id, url, query)
    python eval/realdev/gather.py stats          # counts by kind, source language, site and split

``--set wide`` before the command works on the wide set (``eval/wide/``) instead: excerpts
from many more newsrooms and MT sites, gathered and verified the same way.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SETS = {"realdev": HERE, "wide": HERE.parent / "wide"}
CACHE = HERE / "cache"
RECORDS = HERE / "records"


def use_set(name: str) -> None:
    """Point the module at another set's records and cache (``realdev`` or ``wide``)."""
    global CACHE, RECORDS
    CACHE, RECORDS = SETS[name] / "cache", SETS[name] / "records"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def records() -> list[dict]:
    out = []
    for path in sorted(RECORDS.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                rec = json.loads(line)
                rec["_where"] = f"{path.name}:{n}"
                out.append(rec)
    return out


def cached_text(rec_id: str) -> str | None:
    path = CACHE / f"{rec_id}.txt"
    return path.read_text(encoding="utf-8") if path.exists() else None


def save(rec_id: str, literal_file: str) -> None:
    """Decode the JSON string literal (an excerpt exactly as the search tool returned it)."""
    raw = Path(literal_file).read_text(encoding="utf-8").strip()
    text = json.loads(raw)
    if not isinstance(text, str):
        sys.exit("gather: the file must hold one JSON string")
    CACHE.mkdir(exist_ok=True)
    tmp = CACHE / f".{rec_id}.tmp"
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(CACHE / f"{rec_id}.txt")
    print(json.dumps({"id": rec_id, "sha256": sha256(text), "chars": len(text)}))


def verify() -> int:
    problems = 0
    ids = Counter(r["id"] for r in records())
    for rec_id, n in ids.items():
        if n > 1:
            print(f"duplicate id {rec_id}")
            problems += 1
    for rec in records():
        text = cached_text(rec["id"])
        if text is None:
            print(f"{rec['_where']} {rec['id']}: not cached")
            problems += 1
            continue
        if sha256(text) != rec["sha256"] or len(text) != rec["chars"]:
            print(f"{rec['_where']} {rec['id']}: sha256 or length differs from the record")
            problems += 1
        for err in rec.get("errors", []):
            start, end = err.get("start"), err.get("end")
            if start is None or text[start:end] != err["phrase"]:
                print(f"{rec['_where']} {rec['id']}: phrase not at its offsets: {err['phrase']!r}")
                problems += 1
    print(f"{len(ids)} records, {problems} problems")
    return int(problems > 0)


def missing() -> None:
    for rec in records():
        if cached_text(rec["id"]) is None:
            print(json.dumps({"id": rec["id"], "url": rec["url"], "query": rec["query"]}, ensure_ascii=False))


def stats() -> None:
    recs = records()
    for key in ("kind", "source_lang", "split", "site"):
        print(key, dict(Counter(str(r.get(key)) for r in recs).most_common()))
    errs = [e for r in recs for e in r.get("errors", [])]
    print("errors", len(errs), dict(Counter((e["category"], e["severity"]) for e in errs).most_common()))


def main(argv: list[str]) -> int:
    if argv[:1] == ["--set"] and len(argv) > 1 and argv[1] in SETS:
        use_set(argv[1])
        argv = argv[2:]
    if argv[:1] == ["save"] and len(argv) == 3:
        save(argv[1], argv[2])
        return 0
    if argv == ["verify"]:
        return verify()
    if argv == ["missing"]:
        missing()
        return 0
    if argv == ["stats"]:
        stats()
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
