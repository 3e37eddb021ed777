"""`serendip simulate --circles`: one season of interest circles on an HR export, nothing sent."""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:  # the engine and rich load only when simulate runs
    from rich.table import Table

    from serendip.domain.circles.model import Participant
    from serendip.services.simulation import SimulatedSeason

SHOWN_CIRCLES = 60  # more circles than this are summed up by topic (`--json` lists them all)
SHOWN_UNPLACED = 30
TABLE_WIDTH = 100


def run_circles(participants: Sequence[Participant], *, size: int, seed: int, json_output: bool) -> None:
    """Form and check one season, print it; exit 1 if the checker finds a broken hard rule."""
    from serendip.services.simulation import simulate_circles

    try:
        season = simulate_circles(participants, size=size, seed=seed)
    except ValueError as exc:  # e.g. one person keyed by an id another row uses as its email
        print(f"serendip: {exc}", file=sys.stderr)
        raise typer.Exit(2) from None
    if json_output:
        sys.stdout.write(json.dumps(season.to_dict()) + "\n")
    else:
        _print_season(season, participants)
    for violation in season.violations:
        print(f"the season breaks a hard rule and would be held back: {violation}", file=sys.stderr)
    if season.violations:
        raise typer.Exit(1)


def _print_season(season: SimulatedSeason, participants: Sequence[Participant]) -> None:
    """The figures, then the circles (or, for many, circles per topic), then who stays out and why."""
    from rich.console import Console

    out = Console()
    out.width = max(out.width, TABLE_WIDTH)  # never squeeze the figures, even when piped
    out.print(_figures(season))
    plan = season.plan
    if len(plan.circles) <= SHOWN_CIRCLES:
        out.print(_circles(season, {p.id: p.department for p in participants}))
    else:
        out.print(_topics(season))
    reasons = Counter(u.reason for u in plan.unplaced)
    for reason, count in sorted(reasons.items(), key=lambda rc: (-rc[1], rc[0])):
        print(f"{count} not placed: {reason}")
    for u in plan.unplaced[:SHOWN_UNPLACED]:
        suggestion = f" (could join: {', '.join(u.suggested_topics)})" if u.suggested_topics else ""
        print(f"{u.id}: {u.reason}{suggestion}")
    if len(plan.unplaced) > SHOWN_UNPLACED:
        print(f"and {len(plan.unplaced) - SHOWN_UNPLACED} more not placed (--json lists everyone)")


def _figures(season: SimulatedSeason) -> Table:
    """One row of the season's figures."""
    from rich import box
    from rich.table import Table

    q = season.plan.quality
    table = Table(
        title=f"A season of circles for {q.people} people ({q.people_with_topics} listed a topic): placed ="
        " share of them in a circle on a topic they listed, depts = mean departments per circle,"
        " 3+ = circles with three or more, repeats = pairs who shared a circle last season,"
        " mix = circles with someone who knows the topic and someone who wants to learn it,"
        " tz = member pairs with >= 1 h common working time",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    for column in ("circles", "placed", "depts", "3+", "repeats", "mix", "tz", "sec"):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_row(
        str(q.circles),
        f"{q.placed_share:.1%} ({q.placed})",
        f"{q.mean_departments:.2f}",
        str(q.circles_with_three_departments),
        str(q.last_season_pairs),
        str(q.expert_learner_circles),
        f"{q.tz_overlap_rate:.1%}",
        f"{season.seconds:.3f}",
    )
    return table


def _circles(season: SimulatedSeason, department: dict[str, str | None]) -> Table:
    """Every circle: its topic, how many departments, its members."""
    from rich import box
    from rich.table import Table

    table = Table(title="Circles", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("topic")
    table.add_column("depts", justify="right")
    table.add_column("members")
    for circle in season.plan.circles:
        teams = {department[m] for m in circle.members} - {None}
        table.add_row(circle.topic, str(len(teams)), ", ".join(circle.members))
    return table


def _topics(season: SimulatedSeason) -> Table:
    """Circles and members per topic, the largest topics first."""
    from rich import box
    from rich.table import Table

    circles: Counter[str] = Counter()
    members: Counter[str] = Counter()
    for circle in season.plan.circles:
        circles[circle.topic] += 1
        members[circle.topic] += len(circle.members)
    table = Table(title="Circles per topic (--json lists every circle)", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("topic")
    table.add_column("circles", justify="right")
    table.add_column("members", justify="right")
    for topic, count in sorted(members.items(), key=lambda tc: (-tc[1], tc[0])):
        table.add_row(topic, str(circles[topic]), str(count))
    return table
