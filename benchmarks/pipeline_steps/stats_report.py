"""Pipeline step `stats-report`: the installed `serendip report --png`, a fresh process, on the org.

prepare builds the same org as step `stats` (12 rounds of history); run times the command from
start to exit: start-up, imports, the figures, the tables and the PNG. It has no older path to
compare with, so no baseline.
"""

from __future__ import annotations

from benchmarks.pipeline_steps import stats

STEP = "stats-report"
ORG = stats.ORG  # the same org as step `stats`: built once, copied


def prepare(url: str, people: int) -> None:
    """The org with 12 finished rounds."""
    stats.prepare(url, people)


def run(url: str, people: int) -> None:
    """`serendip report --png` from start to exit."""
    stats.report(url)
