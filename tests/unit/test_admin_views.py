"""The stats chart, the settings modal reader and the admin Block Kit builders, without Slack."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import numpy as np
import pytest
from PIL import Image

from serendip.adapters.db.stats_store import StatsRows
from serendip.adapters.slack.views import admin_blocks, charts, config_modal
from serendip.domain.commands import AdminSetting, Weekday
from serendip.services.administration import Outcome
from serendip.services.analytics import ProgramStats, RoundPoint, compute_stats
from serendip.services.program_snapshots import HealthPanel, health_rows

NOW = datetime(2026, 5, 20, tzinfo=UTC)


def _stats(departments: int = 0, rounds: int = 0) -> ProgramStats:
    names = [f"Department number {i}" for i in range(departments)]
    people = [(f"U{i}", names[i % departments] if departments else None) for i in range(10)]
    spellings = list(dict.fromkeys(d for _, d in people))
    rows = StatsRows(
        rounds=[],
        answers={},
        seats=np.zeros((0, 3), dtype=np.int64),
        member_ids=np.arange(1, 11, dtype=np.int64),
        member_spelling=np.array([spellings.index(d) for _, d in people], dtype=np.int64),
        spellings=spellings,
        participants=np.arange(1, 11, dtype=np.int64),
        first_seen=[(d, min(s for s, e in people if e == d)) for d in spellings],
    )
    stats = compute_stats(program_id=1, channel_id="C1", timezone="UTC", now=NOW, rows=rows)
    stats.series = [RoundPoint(i, NOW, 10, 5, 1, i + 1, 0.5, 0.9) for i in range(rounds)]
    return stats


@pytest.mark.parametrize(("departments", "rounds"), [(0, 0), (3, 2), (25, 40)])
def test_the_chart_is_a_png_of_at_least_800_by_600(departments: int, rounds: int) -> None:
    image = Image.open(io.BytesIO(charts.render_png(_stats(departments, rounds))))
    image.load()
    assert image.format == "PNG" and image.size == (charts.WIDTH_PX, charts.HEIGHT_PX)
    assert image.size[0] >= 800 and image.size[1] >= 600


def test_an_empty_program_has_no_rate_and_no_pairs() -> None:
    stats = _stats(departments=1)
    assert stats.meeting_rate is None and stats.department_pairs_total == 0
    assert stats.members_without_cross_team_tie == 10


def _state(**values: str) -> dict[str, dict[str, dict[str, object]]]:
    state: dict[str, dict[str, dict[str, object]]] = {}
    for block, value in values.items():
        if block in ("timezone", "welcome", "cooldown"):
            state[block] = {"value": {"type": "plain_text_input", "value": value}}
        elif block == "time":
            state[block] = {"value": {"type": "timepicker", "selected_time": value}}
        else:
            state[block] = {"value": {"type": "static_select", "selected_option": {"value": value}}}
    return state


GOOD = {
    "frequency": "monthly",
    "day": "fri",
    "time": "14:30",
    "timezone": "america/new_york",
    "size": "4",
    "mode": "off",
    "cooldown": "0",
    "followup": "on",
    "welcome": "Hi",
}


def test_the_settings_modal_reads_every_field() -> None:
    values, errors = config_modal.read_config(_state(**GOOD), None)
    assert errors == {}
    assert values[AdminSetting.DAY] == Weekday.FRI and values[AdminSetting.TIMEZONE] == "America/New_York"
    assert values[AdminSetting.SIZE] == 4 and values[AdminSetting.COOLDOWN] == 0
    assert values[AdminSetting.WELCOME] == "Hi"


def test_bad_modal_values_get_errors_naming_what_is_allowed() -> None:
    bad = {**GOOD, "size": "9", "cooldown": "53", "timezone": "Europe/Berln", "time": "25:00"}
    _, errors = config_modal.read_config(_state(**bad), None)
    assert set(errors) == {"size", "cooldown", "timezone", "time"}
    assert "2 to 6" in errors["size"] and "0 to 52" in errors["cooldown"]
    assert "Europe/Berlin" in errors["timezone"] and "10:00" in errors["time"]


def test_an_untouched_welcome_keeps_its_stored_mrkdwn() -> None:
    stored = "Hi <@U1|ann> &amp; <https://x.example|the wiki>"
    values, _ = config_modal.read_config(_state(**{**GOOD, "welcome": config_modal.unescape(stored)}), stored)
    assert values[AdminSetting.WELCOME] == stored
    values, _ = config_modal.read_config(_state(**{**GOOD, "welcome": ""}), stored)
    assert values[AdminSetting.WELCOME] is None


def test_the_config_view_opens_on_the_current_values() -> None:
    settings = {
        AdminSetting.FREQUENCY: "weekly",
        AdminSetting.DAY: 2,
        AdminSetting.TIME: "10:00",
        AdminSetting.TIMEZONE: "UTC",
        AdminSetting.SIZE: 3,
        AdminSetting.MODE: "prefer",
        AdminSetting.COOLDOWN: 8,
        AdminSetting.FOLLOWUP: True,
        AdminSetting.WELCOME: "a &amp; b",
    }
    view = config_modal.config_view(settings, "C1")
    blocks = {b["block_id"]: b["element"] for b in view["blocks"]}
    assert (
        blocks["day"]["initial_option"]["value"] == "wed" and blocks["size"]["initial_option"]["value"] == "3"
    )
    assert blocks["welcome"]["initial_value"] == "a & b" and config_modal.channel_of(view) == "C1"


def test_no_change_means_no_announcement() -> None:
    outcome = Outcome(1, "C1", "UTC", NOW, False, unchanged=["group size is already pairs"])
    assert admin_blocks.announcement("U1", outcome) is None
    assert "Nothing to change" in admin_blocks.change_reply(outcome)["text"]


def test_the_home_health_panel_holds_the_headline_figures() -> None:
    panel = admin_blocks.admin_health_blocks(HealthPanel("C1", health_rows(_stats(3, 2))))
    text = str(panel)
    assert panel[0]["type"] == "header" and "Meeting rate" in text and "Department pairs with a tie" in text
    assert all(len(block.get("fields", [])) <= 10 for block in panel)
    assert "Counted at" not in text  # counted live


def test_a_health_panel_from_a_snapshot_says_when_it_was_counted() -> None:
    rows = health_rows(_stats(3, 2))
    panel = admin_blocks.admin_health_blocks(HealthPanel("C1", rows, as_of=NOW))
    assert f"Counted at {NOW:%H:%M} UTC" in str(panel)
    assert [f["text"].split("\n")[0].strip("*") for b in panel for f in b.get("fields", [])] == [
        label for label, _ in rows
    ]


@pytest.mark.parametrize(("size", "limit"), [(5, 10), (10, 5), (11, 5), (23, 4)])
def test_a_large_tie_matrix_is_drawn_with_blocks_of_departments_summed(size: int, limit: int) -> None:
    rng = np.random.default_rng(size)
    matrix = rng.integers(0, 9, size=(size, size)).astype(np.int64)
    cells, block = charts.grouped(matrix, limit)
    assert len(cells) <= limit and block >= 1
    for i in range(len(cells)):
        for j in range(len(cells)):
            expected = sum(
                int(matrix[a][b])
                for a in range(i * block, min((i + 1) * block, size))
                for b in range(j * block, min((j + 1) * block, size))
            )
            assert cells[i][j] == expected
    assert int(cells.sum()) == int(matrix.sum())


def test_the_chart_of_thousands_of_departments_is_a_png_of_the_same_size() -> None:
    stats = _stats(departments=10, rounds=3)
    stats.departments = [f"Department {i}" for i in range(1_500)]
    stats.tie_counts = np.ones((1_500, 1_500), dtype=np.int64)
    image = Image.open(io.BytesIO(charts.render_png(stats)))
    assert image.size == (charts.WIDTH_PX, charts.HEIGHT_PX)


def test_the_settings_modal_reads_kind_and_season_when_the_form_has_them() -> None:
    values, errors = config_modal.read_config(
        _state(**{**GOOD, "kind": "circles", "season": "8", "size": "7"}), None
    )
    assert errors == {}
    assert values[AdminSetting.KIND] == "circles" and values[AdminSetting.SEASON] == 8
    assert values[AdminSetting.SIZE] == 7
    _, errors = config_modal.read_config(_state(**GOOD, kind="chess", season="30"), None)
    assert set(errors) == {"kind", "season"} and "6 to 26" in errors["season"]


def test_a_circles_program_s_settings_offer_circle_sizes_and_the_season_length() -> None:
    settings = {
        AdminSetting.FREQUENCY: "weekly",
        AdminSetting.DAY: 0,
        AdminSetting.TIME: "10:00",
        AdminSetting.TIMEZONE: "UTC",
        AdminSetting.SIZE: 5,
        AdminSetting.MODE: "prefer",
        AdminSetting.COOLDOWN: 8,
        AdminSetting.FOLLOWUP: True,
        AdminSetting.WELCOME: None,
        AdminSetting.KIND: "circles",
        AdminSetting.SEASON: 10,
    }
    blocks = {b["block_id"]: b["element"] for b in config_modal.config_view(settings, "C1")["blocks"]}
    assert [o["value"] for o in blocks["size"]["options"]] == [str(n) for n in range(3, 9)]
    assert blocks["season"]["initial_option"]["value"] == "10"
    assert blocks["kind"]["initial_option"]["value"] == "circles"
    intros = config_modal.config_view({**settings, AdminSetting.KIND: "intros", AdminSetting.SIZE: 2}, "C1")
    shown = {b["block_id"]: b["element"] for b in intros["blocks"]}
    assert "season" not in shown and [o["value"] for o in shown["size"]["options"]] == [
        str(n) for n in range(2, 7)
    ]
