"""Assign each realdev record to the dev or the test half, once, by site.

Blind to the texts and annotations: within each slice (MT from English, MT from other
languages, human France, human elsewhere), sites are taken in the order of their name's
sha256 and each goes to the half with fewer records of that slice so far. A site is never
split across halves. Re-running it keeps existing assignments and only places new sites.

    python eval/realdev/split.py
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict

from gather import RECORDS


def main() -> None:
    files = sorted(RECORDS.glob("*.jsonl"))
    recs = {f: [json.loads(x) for x in f.read_text("utf-8").splitlines() if x.strip()] for f in files}
    every = [r for rs in recs.values() for r in rs]
    fixed = {r["site"]: r["split"] for r in every if r.get("split")}
    slice_of = {r["site"]: r["id"].split("-")[0] for r in every}
    sizes: dict[str, Counter[str]] = defaultdict(Counter)
    per_site = Counter(r["site"] for r in every)
    for site, half in fixed.items():
        sizes[slice_of[site]][half] += per_site[site]
    for site in sorted(per_site, key=lambda s: hashlib.sha256(s.encode()).hexdigest()):
        if site in fixed:
            continue
        counts = sizes[slice_of[site]]
        half = "dev" if counts["dev"] <= counts["test"] else "test"
        fixed[site] = half
        counts[half] += per_site[site]
    for f, rs in recs.items():
        for r in rs:
            r["split"] = fixed[r["site"]]
        f.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rs), encoding="utf-8")
    for name, counts in sorted(sizes.items()):
        print(name, dict(counts))


if __name__ == "__main__":
    main()
