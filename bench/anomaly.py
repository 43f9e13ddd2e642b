"""Business-metric anomaly detection on the labelled NAB series (../shared/data/anomaly/nab/).

    .venv/bin/python bench/anomaly.py [--quick] [--data DIR]

Each series is fed point by point, in time order, to the detector the worker runs
(tierline.metrics.detector: seasonal median/MAD per slot, k-of-n persistence), and to a naive
baseline measured in the same run: a fixed z-score (3) over the previous day's points (a rolling
window of 288), with k-of-n persistence (3 of 5, recovery after 12 points inside). A detection is
the moment an anomaly opens (an issue would be opened). NAB labels rises as well as drops, so
both detectors look both ways; the product's setting (drops only) is reported too.

Printed per series and overall: detections inside and outside the labelled windows, windows hit,
and the NAB score under the standard profile (A_TP=1, A_FP=0.11, A_FN=1), implemented from the
NAB paper's description: the first detection in a window earns A_TP times a scaled sigmoid of
its position (about 1 at the window's start, 0 at its end); a detection outside costs A_FP times
the sigmoid of how far after the preceding window it came (the full A_FP when no window precedes
it); a window without detection costs A_FN. Detections in the first 15% of a series (NAB's
probationary period) are not counted. Normalised: 100 = a detection at the start of every window
and nothing else, 0 = no detections at all. `--quick` runs 8 of the series.
"""

import argparse
import csv
import json
import math
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent.parent / "src"))
from tierline.metrics.detector import OPENED, DetectorConfig, PersistenceState, run, step  # noqa: E402

DATA = Path(__file__).parent.parent.parent / "shared" / "data" / "anomaly" / "nab"
QUICK = [
    "artificialNoAnomaly/art_daily_small_noise.csv", "artificialNoAnomaly/art_noisy.csv",
    "artificialWithAnomaly/art_daily_jumpsdown.csv", "artificialWithAnomaly/art_daily_flatmiddle.csv",
    "artificialWithAnomaly/art_daily_nojump.csv", "realAWSCloudwatch/ec2_cpu_utilization_24ae8d.csv",
    "realAWSCloudwatch/elb_request_count_8c0756.csv", "realAWSCloudwatch/rds_cpu_utilization_cc0c53.csv",
]
A_TP, A_FP, A_FN = 1.0, 0.11, 1.0  # NAB's standard profile
PROBATION = 0.15
NAIVE_WINDOW, NAIVE_Z = 288, 3.0
# The baseline's persistence stays what it was first measured with (3 of 5 to open, 12 points in
# a row inside to recover), so its figures do not move when the detector's defaults do.
NAIVE_PERSISTENCE = DetectorConfig(k=3, n=5, clear=12, rest=0)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="8 of the series")
    parser.add_argument("--data", type=Path, default=DATA, help="the NAB folder (with combined_windows.json)")
    return parser.parse_args()


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text.strip()[:19]).replace(tzinfo=UTC).timestamp()


def load(data: Path, name: str):
    with open(data / name, newline="") as f:
        rows = list(csv.DictReader(f))
    return np.array([_epoch(r["timestamp"]) for r in rows]), np.array([float(r["value"]) for r in rows])


def seasonal_detections(times, values, direction: str) -> list[int]:
    config = DetectorConfig(direction=direction)
    return [i for i, _, transition in run(times, values, config) if transition == OPENED]


def naive_detections(times, values) -> list[int]:
    """Fixed z-score over the previous NAIVE_WINDOW points, both ways, same k-of-n persistence."""
    config, state, found = NAIVE_PERSISTENCE, PersistenceState(), []
    cumsum, cumsq = np.concatenate([[0.0], np.cumsum(values)]), np.concatenate([[0.0], np.cumsum(values ** 2)])
    for i in range(len(values)):
        outside = False
        if i >= NAIVE_WINDOW:
            n = NAIVE_WINDOW
            mean = (cumsum[i] - cumsum[i - n]) / n
            std = math.sqrt(max((cumsq[i] - cumsq[i - n]) / n - mean * mean, 0.0))
            outside = abs(values[i] - mean) > NAIVE_Z * max(std, 1e-9)
        if step(state, outside, config) == OPENED:
            found.append(i)
    return found


def scaled_sigmoid(y: float) -> float:
    return 2.0 / (1.0 + math.exp(min(5.0 * y, 50.0))) - 1.0


def score(detections: list[int], windows: list[tuple[int, int]], length: int) -> dict:
    """Counts and the raw NAB score of one series' detections (indices)."""
    start = int(PROBATION * length)
    counted = [i for i in detections if i >= start]
    raw, inside, outside, hit = 0.0, 0, 0, 0
    for lo, hi in windows:
        mine = [i for i in counted if lo <= i <= hi]
        inside += len(mine)
        if mine:
            hit += 1
            raw += A_TP * scaled_sigmoid(-(hi - mine[0]) / (hi - lo + 1))
        else:
            raw -= A_FN
    for i in counted:
        if any(lo <= i <= hi for lo, hi in windows):
            continue
        outside += 1
        before = [(lo, hi) for lo, hi in windows if hi < i]
        if before:
            lo, hi = before[-1]
            raw += A_FP * scaled_sigmoid((i - hi) / (hi - lo + 1))
        else:
            raw -= A_FP
    return {"inside": inside, "outside": outside, "hit": hit, "windows": len(windows), "raw": raw}


DETECTORS = {
    "seasonal": lambda t, v: seasonal_detections(t, v, "both"),
    "naive z": naive_detections,
    "seasonal, drops only": lambda t, v: seasonal_detections(t, v, "drop"),
}


def evaluate(names: list[str], data: Path = DATA, *, show: bool = True) -> tuple[dict, int]:
    """Run every detector on the named series; the summary per detector, and the points fed."""
    labels = json.loads((data / "combined_windows.json").read_text())
    totals = {d: {"inside": 0, "outside": 0, "hit": 0, "windows": 0, "raw": 0.0, "null": 0.0, "perfect": 0.0,
                  "seconds": 0.0} for d in DETECTORS}
    points = 0
    if show:
        print(f"{'series':<48}{'windows':>8}" + "".join(f"{d + ' in/out/hit':>32}" for d in DETECTORS))
    for name in names:
        times, values = load(data, name)
        points += len(times)
        windows = [(int(np.searchsorted(times, _epoch(a))), int(np.searchsorted(times, _epoch(b), side="right")) - 1)
                   for a, b in labels[name]]
        null = score([], windows, len(times))["raw"]
        perfect = score([lo for lo, _ in windows], windows, len(times))["raw"]
        cells = []
        for detector, detect in DETECTORS.items():
            started = time.perf_counter()
            found = score(detect(times, values), windows, len(times))
            total = totals[detector]
            total["seconds"] += time.perf_counter() - started
            for key in ("inside", "outside", "hit", "windows", "raw"):
                total[key] += found[key]
            total["null"] += null
            total["perfect"] += perfect
            cells.append(f"{found['inside']}/{found['outside']}/{found['hit']}")
        if show:
            print(f"{name:<48}{len(windows):>8}" + "".join(f"{c:>32}" for c in cells))
    summary = {}
    for detector, t in totals.items():
        precision = t["inside"] / (t["inside"] + t["outside"]) if t["inside"] + t["outside"] else 0.0
        recall = t["hit"] / t["windows"] if t["windows"] else 0.0
        nab = 100 * (t["raw"] - t["null"]) / (t["perfect"] - t["null"]) if t["perfect"] != t["null"] else 0.0
        summary[detector] = {"inside": t["inside"], "outside": t["outside"], "precision": round(precision, 3),
                             "windows_hit": t["hit"], "windows": t["windows"], "recall": round(recall, 3),
                             "nab_standard": round(nab, 1), "us_per_point": round(t["seconds"] / points * 1e6, 1)}
    return summary, points


def figures(summary: dict) -> dict:
    ours, naive = summary["seasonal"], summary["naive z"]
    return {
        "nab_standard": ours["nab_standard"], "nab_standard_naive": naive["nab_standard"],
        "nab_standard_drops_only": summary["seasonal, drops only"]["nab_standard"],
        "nab_minus_naive": round(ours["nab_standard"] - naive["nab_standard"], 1),
        "precision": ours["precision"], "precision_naive": naive["precision"],
        "recall": ours["recall"], "recall_naive": naive["recall"],
        "false_detections_vs_naive": round(ours["outside"] / naive["outside"], 3) if naive["outside"] else None,
    }


def quick_figures() -> dict:
    """The quick run's overall figures, for bench/intake.py's anomaly detection section."""
    return figures(evaluate(QUICK, show=False)[0])


def main() -> None:
    args = parse_args()
    labels = json.loads((args.data / "combined_windows.json").read_text())
    names = QUICK if args.quick else sorted(labels)
    summary, points = evaluate(names, args.data)
    print()
    print(f"{'detector':<24}{'inside':>8}{'outside':>9}{'precision':>11}{'windows hit':>13}{'recall':>8}"
          f"{'NAB score':>11}{'µs/point':>10}")
    for detector, d in summary.items():
        print(f"{detector:<24}{d['inside']:>8}{d['outside']:>9}{d['precision']:>11.2f}"
              f"{d['windows_hit']:>8}/{d['windows']:<4}{d['recall']:>8.2f}{d['nab_standard']:>11.1f}"
              f"{d['us_per_point']:>10.0f}")
    print(json.dumps({"bench": "anomaly", "series": len(names), "points": points, "quick": args.quick,
                      **figures(summary)}))


if __name__ == "__main__":
    main()
