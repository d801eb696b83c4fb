"""What every benchmark shares: the machine, medians and percentiles, tables, the BENCHMARKS.md entry.

A benchmark module defines `run(options) -> Report` and calls `main(...)`; the report prints as
plain tables, is appended to BENCHMARKS.md as a dated entry (full runs only, unless told), and
can be written as JSON (`--json`, what the smoke test reads).
"""

import argparse
import contextlib
import importlib.metadata
import json
import logging
import math
import os
import platform
import shlex
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
ARTICLES = SHARED / "data" / "realweb" / "articles-181.warc.gz"
PAGES = SHARED / "data" / "realweb" / "pages-106.warc.gz"
CASES = SHARED / "cases" / "link_cases.jsonl"
BENCHMARKS_MD = REPO / "BENCHMARKS.md"

#: Distributions whose versions every entry names (missing ones are left out).
VERSIONED = ("lxml", "parsel", "fastwarc", "warcio", "scrapy", "selectolax", "litestar", "uvicorn", "uvloop",
             "httptools", "msgspec", "redis", "aiohttp", "dramatiq")


# -- statistics ---------------------------------------------------------------------------------
def median(values: Sequence[float]) -> float:
    """The median (0.0 of nothing)."""
    return float(statistics.median(values)) if values else 0.0


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0..100), linear between closest ranks."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def timed(fn: Callable[[], object], repeats: int, warmup: int = 1) -> list[float]:
    """Seconds of each of `repeats` calls of `fn`, after `warmup` untimed ones."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def fmt(value: float | int | None, digits: int = 0) -> str:
    """A number with thousands separators; "-" for None."""
    if value is None:
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{digits}f}"


def ratio(ours: float, theirs: float) -> str:
    """`ours / theirs` as `1.23x` ("-" when either is missing)."""
    return f"{ours / theirs:.2f}x" if ours and theirs else "-"


# -- reports ------------------------------------------------------------------------------------
@dataclass
class Table:
    """One result table and the paragraph saying what limits its figures."""

    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    limits: str = ""

    def add(self, *cells: object) -> None:
        """Append a row (cells shown as given)."""
        self.rows.append([str(c) for c in cells])

    def markdown(self) -> str:
        """The table as GitHub markdown."""
        lines = ["| " + " | ".join(self.columns) + " |", "|" + "---|" * len(self.columns)]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines)

    def text(self) -> str:
        """The table aligned for a terminal."""
        widths = [max(len(c), *(len(r[i]) for r in self.rows)) if self.rows else len(c)
                  for i, c in enumerate(self.columns)]
        line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True))  # noqa: E731
        return "\n".join([self.title, line(self.columns), line(["-" * w for w in widths]),
                          *(line(r) for r in self.rows)])


@dataclass
class Target:
    """A target of issue 7: a ratio from this run against its threshold."""

    name: str
    value: float
    threshold: float
    #: How the value was measured ("ours 312 pages/s / scrapy 280 pages/s").
    detail: str = ""

    @property
    def met(self) -> bool:
        """Whether the value reaches the threshold."""
        return self.value >= self.threshold


@dataclass
class Report:
    """What one benchmark run measured."""

    name: str
    command: str
    params: dict[str, Any] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    #: Comparisons that could not run here (an optional tool missing), with the reason.
    skipped: list[str] = field(default_factory=list)
    machine: dict[str, str] = field(default_factory=lambda: machine())

    def text(self) -> str:
        """Everything, for a terminal."""
        parts = [f"== {self.name}: {self.command}", _machine_line(self.machine)]
        parts += [t.text() + "\n" for t in self.tables]
        parts += [_target_line(t) for t in self.targets]
        parts += [f"skipped: {s}" for s in self.skipped]
        return "\n".join(parts)

    def markdown(self) -> str:
        """A dated BENCHMARKS.md entry."""
        parts = [f"### {self.machine['date']}: {self.name}", "",
                 f"Command: `{self.command}`", "", f"Machine: {_machine_line(self.machine)}", ""]
        if self.params:
            parts += ["Input: " + ", ".join(f"{k} {v}" for k, v in self.params.items()), ""]
        for table in self.tables:
            parts += [f"**{table.title}**", "", table.markdown(), ""]
            if table.limits:
                parts += [table.limits, ""]
        if self.targets:
            parts += ["Targets: " + "; ".join(_target_line(t) for t in self.targets), ""]
        if self.skipped:
            parts += ["Skipped: " + "; ".join(self.skipped), ""]
        return "\n".join(parts)

    def to_json(self) -> dict[str, Any]:
        """Plain data (for `--json`)."""
        data = asdict(self)
        for target, out in zip(self.targets, data["targets"], strict=True):
            out["met"] = target.met
        return data


def _target_line(target: Target) -> str:
    verdict = "met" if target.met else "MISSED"
    return f"{target.name}: {target.value:.2f} (target >= {target.threshold:g}) {verdict} [{target.detail}]"


def _machine_line(info: dict[str, str]) -> str:
    head = f"{info['cores']} cores ({info['cpu']}), Python {info['python']}, {info['os']}"
    versions = ", ".join(f"{k} {v}" for k, v in info.items() if k not in ("date", "cores", "cpu", "python", "os"))
    return f"{head}; {versions}"


def machine() -> dict[str, str]:
    """Date, cores, CPU, Python and the versions of what the benchmarks compare."""
    info = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": str(os.cpu_count()),
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
    }
    for name in VERSIONED:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            info[name] = importlib.metadata.version(name)
    with contextlib.suppress(ImportError):
        from lxml import etree

        info["libxml2"] = ".".join(map(str, etree.LIBXML_VERSION))
    return info


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    return platform.processor() or "unknown CPU"


def append_entry(report: Report, path: Path = BENCHMARKS_MD) -> None:
    """Append the report as a dated entry under the run log of BENCHMARKS.md."""
    with path.open("a", encoding="utf-8") as out:
        out.write("\n" + report.markdown())


# -- running ------------------------------------------------------------------------------------
def _cpu_busy(interval_s: float = 1.0) -> float:
    """Share of all cores busy over `interval_s` (from /proc/stat; 0.0 where unavailable)."""

    def sample() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = fields[3] + fields[4]
        return sum(fields), idle

    try:
        total_a, idle_a = sample()
        time.sleep(interval_s)
        total_b, idle_b = sample()
    except (OSError, ValueError, IndexError):
        return 0.0
    return 1 - (idle_b - idle_a) / max(1, total_b - total_a)


def wait_for_quiet(max_wait_s: float = 300, busy_below: float = 0.25) -> str:
    """Wait until other work leaves the cores idle (3 quiet seconds in a row); what happened."""
    started = time.monotonic()
    quiet = 0
    while time.monotonic() - started < max_wait_s:
        quiet = quiet + 1 if _cpu_busy() < busy_below else 0
        if quiet >= 3:
            return f"quiet after {time.monotonic() - started:.0f} s"
    return f"still busy after {max_wait_s:.0f} s: figures may be low"


@dataclass
class Options:
    """Command-line options every benchmark takes (plus its own in `extra`)."""

    quick: bool
    repeats: int
    extra: argparse.Namespace


def main(name: str, description: str, run: Callable[[Options], Report],
         add_arguments: Callable[[argparse.ArgumentParser], None] | None = None,
         argv: list[str] | None = None) -> int:
    """Parse the options, run, print; record the entry (full runs) and write JSON when asked."""
    parser = argparse.ArgumentParser(prog=f"python -m bench.{name}", description=description)
    parser.add_argument("--quick", action="store_true", help="tiny input, a few seconds (the smoke test)")
    parser.add_argument("--repeats", type=int, default=None, help="timed runs per figure (median)")
    parser.add_argument("--record", choices=["yes", "no", "auto"], default="auto",
                        help="append a dated entry to BENCHMARKS.md (auto: full runs only)")
    parser.add_argument("--json", type=Path, default=None, help="also write the report as JSON here")
    if add_arguments is not None:
        add_arguments(parser)
    args = parser.parse_args(argv)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    options = Options(quick=args.quick, repeats=args.repeats or (2 if args.quick else 5), extra=args)
    machine_state = "not checked (quick)" if args.quick else wait_for_quiet()
    report = run(options)
    report.params["machine before the run"] = machine_state
    report.params["load average after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    report.command = shlex.join(["python", "-m", f"bench.{name}", *(argv if argv is not None else sys.argv[1:])])
    print(report.text(), flush=True)
    if args.record == "yes" or (args.record == "auto" and not args.quick):
        append_entry(report)
    if args.json is not None:
        args.json.write_text(json.dumps(report.to_json(), indent=2))
    return 0


# -- a private Redis ----------------------------------------------------------------------------
@contextlib.contextmanager
def private_redis(url: str | None = None) -> Iterator[str]:
    """`url` as is, else a redis-server of our own in a temporary folder (stopped afterwards)."""
    if url:
        yield url
        return
    from backlinks.redis_server import EmbeddedRedis

    with tempfile.TemporaryDirectory(prefix="bench-redis-") as folder:
        server = EmbeddedRedis(Path(folder))
        server.start()
        try:
            yield server.url
        finally:
            server.stop()


def redis_info(url: str, section: str) -> dict[str, Any]:
    """`INFO <section>` of the Redis at `url`."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        return dict(client.info(section))
    finally:
        client.close()
