"""`serendip simulate --people FILE.csv`: try the matcher (or, with --circles, the circles engine)
on an HR export before sending anything."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:  # the matcher pulls in numpy; import it only when simulate runs
    from rich.table import Table

    from serendip.services.simulation import SimulatedRound

PROGRESS_FROM_ROUNDS = 3
# The circles model's bounds, repeated so that `--help` does not load the engine.
MIN_CIRCLE_SIZE, MAX_CIRCLE_SIZE, DEFAULT_CIRCLE_SIZE = 3, 8, 5
TABLE_WIDTH = 100


class Mode(StrEnum):
    """`--mode` choices (mirrors RepeatMode without importing the matcher at CLI start-up)."""

    PREFER = "prefer"
    STRICT = "strict"
    OFF = "off"


def simulate_command(
    ctx: typer.Context,
    people: Annotated[
        Path, typer.Option("--people", help="People CSV (id or email, department, timezone, ...).")
    ],
    rounds: Annotated[int, typer.Option("--rounds", min=1, help="Rounds to run back to back.")] = 1,
    group_size: Annotated[
        int, typer.Option("--group-size", min=2, max=6, help="Target group size of intro rounds.")
    ] = 2,
    cooldown: Annotated[
        int, typer.Option("--cooldown", min=0, max=52, help="Rounds before a pair may repeat.")
    ] = 8,
    mode: Annotated[Mode, typer.Option("--mode", help="Repeat mode.")] = Mode.PREFER,
    seed: Annotated[int, typer.Option("--seed", help="Seed; round r uses one derived from (seed, r).")] = 0,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print one JSON object instead of a table.")
    ] = False,
    circles: Annotated[
        bool, typer.Option("--circles", help="Form one season of interest circles instead of intro rounds.")
    ] = False,
    size: Annotated[
        int | None, typer.Option("--size", help="Target circle size with --circles: 3-8 (default 5).")
    ] = None,
) -> None:
    """Simulate matching rounds (or a season of circles) on a people CSV and report their quality; nothing is sent."""
    from rich.console import Console
    from rich.progress import Progress

    from serendip.domain.matching import RepeatMode
    from serendip.domain.people_csv import PeopleFileError, read_people_csv
    from serendip.services.simulation import participants_from_rows, simulate

    circle_size = _circle_size(ctx, circles, size)
    try:
        parsed = read_people_csv(people)
    except PeopleFileError as exc:
        print(f"serendip: {exc}", file=sys.stderr)
        raise typer.Exit(1) from None
    if parsed.problems:
        for problem in parsed.problems:  # every bad row, as import-people lists them
            print(str(problem), file=sys.stderr)
        raise typer.Exit(2)
    participants = participants_from_rows(parsed.rows)
    if circles:
        from serendip.entrypoints.simulate_circles_cmd import run_circles

        run_circles(participants, size=circle_size, seed=seed, json_output=json_output)
        return
    repeat_mode = RepeatMode(mode.value)
    if json_output:
        done = simulate(
            participants, rounds=rounds, group_size=group_size, mode=repeat_mode, cooldown=cooldown, seed=seed
        )
        sys.stdout.write(json.dumps({"rounds": [r.to_dict() for r in done]}) + "\n")
        return
    err = Console(stderr=True)
    with Progress(console=err, transient=True, disable=rounds < PROGRESS_FROM_ROUNDS) as progress:
        task = progress.add_task("matching", total=rounds)
        done = simulate(
            participants,
            rounds=rounds,
            group_size=group_size,
            mode=repeat_mode,
            cooldown=cooldown,
            seed=seed,
            on_round=lambda _: progress.advance(task),
        )
    out = Console()
    out.width = max(out.width, TABLE_WIDTH)  # never squeeze the figures, even when piped
    out.print(_table(done, len(participants)))
    for r in done:
        for violation in r.check.violations:
            print(f"round {r.number} breaks a hard rule and would be held back: {violation}")
        for sat in r.result.sat_out:
            print(f"round {r.number}: {sat.id} sits out: {sat.reason}")
        if r.result.lone:
            print(f"round {r.number}: {r.result.lone} is alone this round")


def _circle_size(ctx: typer.Context, circles: bool, size: int | None) -> int:
    """The circle size, after refusing options that do not go together (one line, exit 2)."""

    def usage(message: str) -> typer.Exit:
        print(f"serendip: {message}", file=sys.stderr)
        return typer.Exit(2)

    if not circles:
        if size is not None:
            raise usage("--size is the circle size of --circles; intro rounds take --group-size")
        return DEFAULT_CIRCLE_SIZE
    for name, option in (
        ("group_size", "--group-size"),
        ("rounds", "--rounds"),
        ("cooldown", "--cooldown"),
        ("mode", "--mode"),
    ):
        source = ctx.get_parameter_source(name)
        if source is not None and source.name == "COMMANDLINE":  # given, not defaulted
            raise usage(
                f"{option} is for intro rounds; --circles forms one season (use --size for the circle size)"
            )
    if size is None:
        return DEFAULT_CIRCLE_SIZE
    if not MIN_CIRCLE_SIZE <= size <= MAX_CIRCLE_SIZE:
        raise usage(f"--size must be {MIN_CIRCLE_SIZE}-{MAX_CIRCLE_SIZE} for circles, got {size}")
    return size


def _table(done: list[SimulatedRound], people: int) -> Table:
    """Per-round table: the round checker's figures, then the matcher's own estimates."""
    from rich import box
    from rich.table import Table

    table = Table(
        title=f"Simulated rounds for {people} people, recounted by the round checker (repeats = pairs"
        " met within the cooldown, cross = cross-team pairs, bound = best possible, tz = pairs with"
        " >= 1 h common working time); the matcher's estimates: avoid = avoidable repeats,"
        " tags = groups with a shared tag",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    for column in ("round", "groups", "placed", "repeats", "avoid", "cross", "bound", "tz", "tags", "sec"):
        table.add_column(column, justify="right", no_wrap=True)
    for r in done:
        q, c = r.result.quality, r.check
        table.add_row(
            str(r.number),
            str(len(r.result.groups)),
            f"{c.coverage:.0%}",
            str(c.repeats),
            str(q.avoidable_repeats),
            f"{c.cross_team_rate:.1%}",
            f"{c.cross_team_bound:.1%}",
            f"{c.tz_overlap_rate:.1%}",
            f"{q.shared_tag_rate:.1%}",
            f"{r.seconds:.3f}",
        )
    return table
