"""The org-scale pipeline benchmark: each step of `benchmarks/pipeline_steps/` on SQLite and PostgreSQL.

    python benchmarks/pipeline.py [--people 100000] [--engines sqlite,postgresql]
                                  [--steps import,plan,...] [--baseline-people N] [--json]

A step module defines `STEP`, `prepare(url, people)` (untimed set-up), `run(url, people)` (timed)
and optionally `warm(url, people)` (what a long-running process does once at start: called in run's
process before the clock starts), `settle()` (after the clock stops, before memory is read),
`baseline(url, people)` (today's row-at-a-time way, timed the same way) and `ORG`
(a name for what prepare builds: steps with the same ORG run on copies of one build per engine). For every
(step, engine) each of prepare, run and baseline runs in a FRESH Python process on a fresh
database; the child times the call and reports its peak RSS (its own plus its children's, from
`resource.getrusage`). PostgreSQL is a throwaway server started with the test suite's helper.

The table shows seconds, peak MB and how many times faster per person the step is than its
baseline (the baseline may run on fewer people: `--baseline-people`; each row names its size).
`--json` prints one object per line: {"step", "engine", "people", "seconds", "peak_mb"} and
"baseline": true on baseline rows.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.support.postgres import PostgresServer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
STEPS_PACKAGE = "benchmarks.pipeline_steps"
ENGINES = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Measurement:
    """One timed call in one fresh process."""

    step: str
    engine: str
    people: int
    seconds: float
    peak_mb: float
    baseline: bool = False

    def as_json(self) -> str:
        """The `--json` line of this measurement."""
        data: dict[str, object] = {
            "step": self.step,
            "engine": self.engine,
            "people": self.people,
            "seconds": round(self.seconds, 3),
            "peak_mb": round(self.peak_mb, 1),
        }
        if self.baseline:
            data["baseline"] = True
        return json.dumps(data)


def step_modules() -> dict[str, str]:
    """STEP name -> module name of every step module in benchmarks/pipeline_steps/."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "benchmarks" / "pipeline_steps").glob("*.py")):
        if path.name.startswith("_"):
            continue
        module = importlib.import_module(f"{STEPS_PACKAGE}.{path.stem}")
        found[str(module.STEP)] = module.__name__
    return found


def _child(module_name: str, phase: str, url: str, people: int) -> None:
    """In the fresh process: call one phase, then print its seconds and peak RSS as the last line."""
    module: ModuleType = importlib.import_module(module_name)
    function = getattr(module, phase)
    settle = getattr(module, "settle", None)
    if phase == "run" and getattr(module, "warm", None) is not None:
        module.warm(url, people)  # what a long-running process did once at start, untimed
    started = time.perf_counter()
    function(url, people)
    seconds = time.perf_counter() - started
    if phase == "run" and settle is not None:
        settle()  # e.g. stop a fork server, so its and its children's memory is counted below
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_mb": (own + children) / 1024}))  # ru_maxrss is in KiB


def _in_fresh_process(module_name: str, phase: str, url: str, people: int) -> dict[str, float]:
    """Run one phase in a new interpreter; its figures, or SystemExit with its stderr."""
    env = {**os.environ, "SERENDIP_LOG_LEVEL": os.environ.get("SERENDIP_LOG_LEVEL", "WARNING")}
    args = [sys.executable, str(Path(__file__).resolve()), "--child", module_name, phase, url, str(people)]
    done = subprocess.run(args, capture_output=True, text=True, env=env, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"{module_name}.{phase} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


class Databases:
    """Fresh, empty databases: SQLite files in a temp folder, PostgreSQL on one throwaway server."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.server: PostgresServer | None = None
        self.count = 0
        self.templates: dict[tuple[str, str, int], str] = {}

    def prepared(self, engine: str, org: str, people: int, prepare: Callable[[str], object]) -> str:
        """A fresh copy of the database ``prepare`` builds for (``org``, ``people``) on ``engine``.

        The first call builds it (untimed, in its own process); later steps that name the same org
        get a byte-for-byte copy (a file copy, or PostgreSQL's CREATE DATABASE ... TEMPLATE), so a
        run builds each 100,000-person org once per engine instead of once per measurement.
        """
        key = (engine, org, people)
        if key not in self.templates:
            self.templates[key] = self.new(engine)
            prepare(self.templates[key])
        template = self.templates[key]
        if engine == "sqlite":
            self.count += 1
            copy = self.folder / f"pipeline-{self.count}.db"
            shutil.copyfile(template.removeprefix("sqlite:///"), copy)
            wal = Path(template.removeprefix("sqlite:///") + "-wal")
            if wal.exists():  # not yet checkpointed into the file: it is part of the database
                shutil.copyfile(wal, f"{copy}-wal")
            return f"sqlite:///{copy}"
        assert self.server is not None
        return self.server.url(self.server.create_database(template=template.rsplit("/", 1)[1]))

    def new(self, engine: str) -> str:
        """The URL of a new empty database on ``engine``."""
        self.count += 1
        if engine == "sqlite":
            return f"sqlite:///{self.folder / f'pipeline-{self.count}.db'}"
        if self.server is None:
            from tests.support.postgres import start_postgres

            self.server = start_postgres()
        return self.server.url(self.server.create_database())

    def close(self) -> None:
        """Stop the PostgreSQL server, if one was started."""
        if self.server is not None:
            self.server.stop()


@contextmanager
def databases() -> Iterator[Databases]:
    """A Databases whose files and server are gone afterwards."""
    with tempfile.TemporaryDirectory(prefix="serendip-pipeline-") as folder:
        made = Databases(Path(folder))
        try:
            yield made
        finally:
            made.close()


def measure(
    module_name: str, step: str, engine: str, people: int, made: Databases, *, baseline: bool
) -> Measurement:
    """prepare then run (or baseline), each in a fresh process, on a fresh database.

    A step module that names its prepared database (`ORG`) runs on a copy of it, built once per run.
    """
    org = getattr(importlib.import_module(module_name), "ORG", None)
    if org is None:
        url = made.new(engine)
        _in_fresh_process(module_name, "prepare", url, people)
    else:
        url = made.prepared(
            engine, org, people, lambda new: _in_fresh_process(module_name, "prepare", new, people)
        )
    figures = _in_fresh_process(module_name, "baseline" if baseline else "run", url, people)
    with suppress(OSError):  # keep the disk free between steps (templates stay until the end)
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).unlink()
        elif made.server is not None:
            made.server.drop_database(url.rsplit("/", 1)[1])
    return Measurement(step, engine, people, figures["seconds"], figures["peak_mb"], baseline)


def table(rows: list[Measurement]) -> str:
    """The printed table; the ratio is the baseline's seconds per person over the step's."""
    lines = [f"{'step':<15}{'engine':<12}{'people':>9}{'seconds':>10}{'peak_mb':>10}  vs baseline"]
    for row in rows:
        base = next((b for b in rows if b.baseline and (b.step, b.engine) == (row.step, row.engine)), None)
        ratio = ""
        if row.baseline:
            ratio = "(baseline, row at a time)"
        elif base is not None and row.seconds > 0:
            faster = (base.seconds / base.people) / (row.seconds / row.people)
            ratio = (
                f"{faster:.1f}x faster per person (baseline {base.people:,} people in {base.seconds:.1f} s)"
            )
        name = row.step + (" (base)" if row.baseline else "")
        lines.append(
            f"{name:<15}{row.engine:<12}{row.people:>9,}{row.seconds:>10.2f}{row.peak_mb:>10.0f}  {ratio}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run the chosen steps on the chosen engines."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        _child(argv[1], argv[2], argv[3], int(argv[4]))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--steps", default="", help="comma-separated STEP names (default: every step)")
    parser.add_argument("--baseline-people", type=int, default=None, help="size of the baseline runs")
    parser.add_argument("--no-baseline", action="store_true", help="skip the baseline runs")
    parser.add_argument("--json", action="store_true", help="one JSON object per line instead of the table")
    args = parser.parse_args(argv)
    modules = step_modules()
    wanted = [s for s in args.steps.split(",") if s] or list(modules)
    unknown = [s for s in wanted if s not in modules]
    if unknown:
        raise SystemExit(f"unknown step(s) {unknown}; known: {sorted(modules)}")
    engines = [e for e in args.engines.split(",") if e]
    rows: list[Measurement] = []
    with databases() as made:
        for step in wanted:
            module_name = modules[step]
            has_baseline = hasattr(importlib.import_module(module_name), "baseline")
            for engine in engines:
                found = [measure(module_name, step, engine, args.people, made, baseline=False)]
                if has_baseline and not args.no_baseline:
                    size = args.baseline_people or args.people
                    try:
                        found.append(measure(module_name, step, engine, size, made, baseline=True))
                    except SystemExit as failed:  # the old code's own limits: say so, measure on
                        first = str(failed).splitlines()[0]
                        print(
                            f"baseline {step} on {engine} with {size:,} people failed: {first}",
                            file=sys.stderr,
                        )
                for row in found:
                    if args.json:
                        print(row.as_json(), flush=True)
                    rows.append(row)
    if not args.json:
        print(table(rows))


if __name__ == "__main__":
    main()
