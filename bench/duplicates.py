"""Duplicate detection quality: recall@1, @5 and @10 of the known duplicate on real bug reports.

    .venv/bin/python bench/duplicates.py [--quick] [--database-url URL]

Loads the 2,503 Hadoop bug reports of bench/data/gitbugs-hadoop/ (CC BY 4.0) as issues, indexes
them with the similar-issues index (SQLite FTS5 BM25, or PostgreSQL ts_rank), and for every known
duplicate pair asks for the issues most similar to one report: a hit at k when the other is among
the first k. Both directions of each link count. The baseline, measured in the same run, ranks by
the title alone; a random ranking would find the duplicate at 10 with probability 10/2,502.
"""

import argparse
import csv
import json
import statistics
import time
from pathlib import Path

from _django import setup_django

DATA = Path(__file__).parent / "data" / "gitbugs-hadoop"
KS = (1, 5, 10)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="the same corpus (it is small); kept for uniformity")
    parser.add_argument("--database-url", help="a throwaway PostgreSQL database; it is wiped")
    return parser.parse_args()


def load_corpus():
    csv.field_size_limit(10**8)
    with open(DATA / "hadoop_bugs.csv", newline="", encoding="utf-8") as f:
        bugs = {row["Issue id"]: row for row in csv.DictReader(f)}
    pairs = set()
    with open(DATA / "hadoop_bugs-combined.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for dup in row["Duplicate id"].replace(";", ",").split(","):
                a, b = row["Issue id"].strip(), dup.strip()
                if a in bugs and b in bugs and a != b:
                    pairs.add((a, b))
                    pairs.add((b, a))
    return bugs, sorted(pairs)


def recall(pairs, ids, texts, rank) -> tuple[dict, list[float]]:
    hits, times = dict.fromkeys(KS, 0), []
    for a, b in pairs:
        started = time.perf_counter()
        ranked = [i for i, _ in rank(texts[a], exclude_id=ids[a], limit=max(KS))]
        times.append(time.perf_counter() - started)
        for k in KS:
            hits[k] += ids[b] in ranked[:k]
    return {k: hits[k] / len(pairs) for k in KS}, times


def main() -> None:
    args = parse_args()
    setup_django(args.database_url)
    from tierline.intake.similar import DESCRIPTION_CHARS, catch_up, rank
    from tierline.issues.actions import IssueDraft, do_create_issues

    bugs, pairs = load_corpus()
    order = list(bugs)
    issues = do_create_issues(IssueDraft(title=bugs[i]["Summary"][:300] or "untitled",
                                         description=bugs[i]["Description"] or "") for i in order)
    ids = {hid: issue.pk for hid, issue in zip(order, issues, strict=True)}
    started = time.perf_counter()
    catch_up()
    index_seconds = time.perf_counter() - started
    full = {h: f"{b['Summary']} {b['Summary']} {(b['Description'] or '')[:DESCRIPTION_CHARS]}" for h, b in bugs.items()}
    titles = {h: b["Summary"] for h, b in bugs.items()}
    ours, times = recall(pairs, ids, full, rank)
    baseline, _ = recall(pairs, ids, titles, rank)
    p95 = statistics.quantiles(times, n=20)[18] * 1000
    print(f"corpus: {len(bugs)} reports, {len(pairs)} duplicate queries (both directions), "
          f"indexed in {index_seconds:.2f} s")
    print(f"{'method':<28}{'recall@1':>10}{'recall@5':>10}{'recall@10':>11}")
    random = {k: k / (len(bugs) - 1) for k in KS}
    for name, figures, digits in (("title + description (ours)", ours, 3), ("title only (baseline)", baseline, 3),
                                  ("random", random, 4)):
        print(f"{name:<28}{figures[1]:>10.{digits}f}{figures[5]:>10.{digits}f}{figures[10]:>11.{digits}f}")
    print(f"lookup p95: {p95:.1f} ms")
    print(json.dumps({
        "bench": "duplicates", "reports": len(bugs), "queries": len(pairs),
        **{f"recall_at_{k}": round(ours[k], 4) for k in KS},
        **{f"baseline_recall_at_{k}": round(baseline[k], 4) for k in KS},
        "recall_at_10_vs_baseline": round(ours[10] / baseline[10], 3) if baseline[10] else None,
        "lookup_p95_ms": round(p95, 2),
    }))


if __name__ == "__main__":
    main()
