"""Each benchmark runs on a tiny input (`--quick`) and prints its tables, so the benchmarks do not rot.

These are not benchmarks: they check that every script still runs end to end and fills its rows.
The comparisons with optional tools (Scrapy, selectolax: `pip install -e '.[bench]'`; wrk) are
skipped where those are missing, and the test says which.
"""

import json
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.timeout(60)


def run_quick(name: str, tmp_path: Path) -> dict[str, Any]:
    """`python -m bench.<name> --quick` in its own process; the report it wrote as JSON."""
    out = tmp_path / f"{name}.json"
    done = subprocess.run(
        [sys.executable, "-m", f"bench.{name}", "--quick", "--record", "no", "--json", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=55,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    report: dict[str, Any] = json.loads(out.read_text())
    for skipped in report["skipped"]:
        warnings.warn(f"bench.{name}: comparison skipped: {skipped}", stacklevel=2)
    return report


def rows(report: dict[str, Any], table: int) -> list[list[str]]:
    """The rows of the report's n-th table."""
    found: list[list[str]] = report["tables"][table]["rows"]
    return found


def test_the_extraction_benchmark_times_ours_and_the_floor_and_checks_the_cases(tmp_path: Path) -> None:
    report = run_quick("extraction", tmp_path)
    names = [row[0] for row in rows(report, 0)]
    assert names[0] == "ours (parse_page)"
    assert "bare lxml walk" in names
    assert len(names) == 4 - len(report["skipped"]), "Scrapy and selectolax run unless reported skipped"
    assert all(float(row[1].replace(",", "")) > 0 for row in rows(report, 0))
    ours = rows(report, 1)[0]
    found, required = ours[1].split("/")
    assert found == required, "our extractor must find every link the shared cases require"


def test_the_ingest_benchmark_runs_floors_and_one_and_two_workers(tmp_path: Path) -> None:
    report = run_quick("ingest", tmp_path)
    stages = [row[0] for row in rows(report, 0)]
    assert stages[0].startswith("floor: fastwarc")
    assert stages[-2:] == ["end to end, 1 worker (Redis index)", "end to end, 2 workers (Redis index)"]
    assert all(float(row[2].replace(",", "")) > 0 and float(row[5].replace(",", "")) > 0 for row in rows(report, 0))
    assert [row[0] for row in rows(report, 1)] == ["WARC", "WAT"]


def test_the_latency_benchmark_loads_both_endpoints_and_scans_two_targets(tmp_path: Path) -> None:
    report = run_quick("latency", tmp_path)
    hits = rows(report, 0)
    assert len(hits) == 2 and all(float(row[1].replace(",", "")) > 0 for row in hits)
    assert all(row[4] == "0" for row in hits), "no request may fail"
    scans = rows(report, 1)
    assert [(row[1], row[2]) for row in scans] == [("20", "20"), ("200", "200")]


def test_the_deep_scan_benchmark_fetches_every_referring_page(tmp_path: Path) -> None:
    report = run_quick("deepscan", tmp_path)
    (row,) = rows(report, 0)
    assert row[0] == "16"
    assert row[5] == "100" and row[6] == "100"


def test_the_index_cost_benchmark_measures_memory_and_lookups_at_each_checkpoint(tmp_path: Path) -> None:
    report = run_quick("index_cost", tmp_path)
    memory, lookups, families = rows(report, 0), rows(report, 1), rows(report, 2)
    assert len(memory) == len(lookups) == 2
    assert all(float(row[4].replace(",", "")) > 0 for row in memory)
    assert all(row[1].endswith("(20)") for row in lookups), "the planted target has exactly 20 referring pages"
    assert {row[0] for row in families} >= {"idx:page", "idx:host", "idx:rd", "idx:auth"}
