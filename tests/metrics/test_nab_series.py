"""The detector on two labelled series of the Numenta Anomaly Benchmark (tests/fixtures/anomaly/,
see NOTICE): a daily pattern whose level drops inside the labelled window is detected there and
nowhere else; the same pattern with noise and no anomaly raises nothing. bench/anomaly.py
measures the whole labelled set."""

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tierline.metrics.detector import OPENED, DetectorConfig, run

FIXTURES = Path(__file__).parent.parent / "fixtures" / "anomaly"
WINDOWS = json.loads((FIXTURES / "windows.json").read_text())


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text[:19]).replace(tzinfo=UTC).timestamp()


def _detections(name: str) -> list[float]:
    with open(FIXTURES / name, newline="") as f:
        rows = list(csv.DictReader(f))
    times = [_epoch(r["timestamp"]) for r in rows]
    found = run(times, [float(r["value"]) for r in rows], DetectorConfig())
    return [times[i] for i, _, transition in found if transition == OPENED]


@pytest.mark.parametrize("name", sorted(WINDOWS))
def test_detections_fall_inside_the_labelled_windows(name):
    windows = [(_epoch(a), _epoch(b)) for a, b in WINDOWS[name]]
    found = _detections(name)
    assert all(any(a <= t <= b for a, b in windows) for t in found)
    assert all(any(a <= t <= b for t in found) for a, b in windows)
