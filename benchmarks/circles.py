"""Circles quality and speed: Serendip's engine against two baselines, in one process, on the same orgs.

Orgs of 1,000 and 100,000 people (`_orgs.circles_org`): Zipf-popular topics over 150, 1-4 tags
each, ~10% with none, 30-300 Zipf-sized departments mostly in one home zone, a manager tree per
department, 1% blocking someone. Baselines (`_circles_baselines`): `random` cuts each topic, in
random order, into random circles of `size` among its listers not yet placed; `greedy` fills the
most popular topic first. All three are scored by the same code from their circles:

- placed  share of the people with at least one tag who are in a circle (on a topic they listed)
- depts   mean number of distinct departments per circle
- 3+      share of circles with three departments or more
- tz      share of member pairs with at least an hour of common working time
- broken  hard-rule violations found by the independent checker `check_circles` (0 for ours)
- s       seconds to form the season (wall clock; CPU seconds in brackets)
- vs random / vs greedy  our placed share and mean departments divided by the baseline's

Run: python benchmarks/circles.py [--quick] [--size N] [--json]   (--quick: 1,000 people only)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _circles_baselines import greedy_circles, random_circles
from _orgs import circles_org

from serendip.domain.circles import check_circles, form_circles
from serendip.domain.circles.model import Circle, CircleSettings, Participant
from serendip.domain.departments import department_key
from serendip.domain.round_check import overlap_minutes

SIZES = (1000, 100_000)


def figures(
    people: Sequence[Participant], circles: Sequence[Circle], settings: CircleSettings
) -> dict[str, Any]:
    """The same figures for every algorithm, counted from its circles."""
    by_id = {p.id: p for p in people}
    tagged = sum(1 for p in people if p.interests or p.expertise)
    placed = len({m for c in circles for m in c.members})
    departments = [len({department_key(by_id[m].department) for m in c.members} - {None}) for c in circles]
    pairs = [(by_id[a], by_id[b]) for c in circles for a, b in combinations(c.members, 2)]
    overlapping = sum(1 for a, b in pairs if overlap_minutes(a, b) >= 60)
    return {
        "circles": len(circles),
        "placed": round(placed / tagged, 4) if tagged else 1.0,
        "departments": round(sum(departments) / len(departments), 3) if departments else 0.0,
        "three_departments": round(sum(1 for d in departments if d >= 3) / len(departments), 4)
        if departments
        else 0.0,
        "tz_overlap": round(overlapping / len(pairs), 4) if pairs else 0.0,
        "violations": len(check_circles(people, settings, circles)),
    }


def timed(form: Callable[[], list[Circle]]) -> tuple[list[Circle], float, float]:
    """Circles, wall seconds and CPU seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    circles = form()
    return circles, time.perf_counter() - wall, time.process_time() - cpu


def bench(n: int, size: int) -> list[dict[str, Any]]:
    """One org of n people: our engine and both baselines."""
    people = circles_org(n, seed=n)
    settings = CircleSettings(size=size, seed=7)
    runs = {
        "serendip": lambda: form_circles(people, settings).circles,
        "random": lambda: random_circles(people, size, seed=7),
        "greedy": lambda: greedy_circles(people, size),
    }
    rows = []
    for name, form in runs.items():
        circles, wall, cpu = timed(form)
        rows.append(
            {
                "people": n,
                "algorithm": name,
                **figures(people, circles, settings),
                "seconds": round(wall, 3),
                "cpu_seconds": round(cpu, 3),
            }
        )
    ours = rows[0]
    for base in rows[1:]:
        for key in ("placed", "departments"):
            ours[f"{key}_vs_{base['algorithm']}"] = round(ours[key] / base[key], 3) if base[key] else None
    return rows


def main() -> None:
    """Print one table (or one JSON object) over the org sizes."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="only the 1,000-person org")
    parser.add_argument("--size", type=int, default=5, help="circle size setting (3-8)")
    parser.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    args = parser.parse_args()
    sizes = SIZES[:1] if args.quick else SIZES
    if not args.json:
        print(
            f"{'people':>7} {'algorithm':<9} {'circles':>7} {'placed':>7} {'depts':>6} {'3+':>6} {'tz':>6} "
            f"{'broken':>6} {'s':>14} {'vs random':>12} {'vs greedy':>12}",
            flush=True,
        )
    results = []
    for n in sizes:
        for row in bench(n, args.size):
            results.append(row)
            if not args.json:
                print(_line(row), flush=True)
    if args.json:
        print(json.dumps({"size": args.size, "results": results}))


def _line(row: dict[str, Any]) -> str:
    """One table row; the ratios are placed / departments against the baseline."""
    ratios = [
        f"{row[f'placed_vs_{b}']:.2f}/{row[f'departments_vs_{b}']:.2f}" if f"placed_vs_{b}" in row else ""
        for b in ("random", "greedy")
    ]
    return (
        f"{row['people']:>7} {row['algorithm']:<9} {row['circles']:>7} {row['placed']:>7.1%} "
        f"{row['departments']:>6.2f} {row['three_departments']:>6.1%} {row['tz_overlap']:>6.1%} "
        f"{row['violations']:>6} {row['seconds']:>6.2f} ({row['cpu_seconds']:.2f}) {ratios[0]:>12} {ratios[1]:>12}"
    )


if __name__ == "__main__":
    main()
