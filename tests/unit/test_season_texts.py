"""What a circles season says: its summary, its preview, the note to the left-out, and the question
`admin run` asks mid-season."""

from __future__ import annotations

from datetime import UTC, datetime

from serendip.adapters.slack.views import season_blocks
from serendip.adapters.slack.views.round_blocks import RUN_CONFIRM
from serendip.services.lifecycle.results import ManualRun, PlannedRound, RoundSummary, SeasonPreview
from serendip.services.lifecycle.season_notes import unplaced_note

QUALITY = {
    "people_with_topics": 40,
    "placed": 37,
    "placed_share": 0.925,
    "mean_departments": 3.4,
    "circles_with_three_departments": 7,
    "expert_learner_circles": 5,
    "unplaced": 5,
}


def test_the_season_summary_counts_circles_placement_and_the_left_out_without_codes() -> None:
    summary = RoundSummary(
        3,
        1,
        "C1",
        eligible=42,
        groups=8,
        delivered=7,
        failed={9: "user_disabled"},
        quality=QUALITY,
        season=True,
    )
    text, blocks = season_blocks.season_summary(summary)
    assert "8 circles formed, 7 delivered, from 42 people" in text
    assert "37 people placed: 92% of the 40 people who listed a topic" in text
    assert "3.4 on average" in text and "5 people had no circle this season" in text
    assert "1 circle intro could not be delivered" in text and "user_disabled" not in str(blocks)


def test_the_season_preview_shows_figures_and_with_names_each_circle_and_who_is_left_out() -> None:
    preview = SeasonPreview(
        eligible=12,
        circles=[("go", ["U1", "U2", "U3"]), ("r&d", ["U4", "U5", "U6"])],
        departments=[3, 2],
        quality={**QUALITY, "placed": 6, "people_with_topics": 10, "placed_share": 0.6},
        unplaced={"U7": "no topic listed"},
    )
    plain = str(season_blocks.preview_message(preview, names=False))
    assert "Next season preview" in plain and "2 circles, 6 people placed" in plain and "U1" not in plain
    named = str(season_blocks.preview_message(preview, names=True)["blocks"])
    assert "*go* (3 departments): <@U1>, <@U2>, <@U3>" in named and "*r&amp;d*" in named
    assert "Without a circle: <@U7>" in named and "Fewest departments in a circle: 2" in named


def test_the_left_out_hear_the_reason_popular_topics_and_how_to_add_them() -> None:
    note = unplaced_note("<#C1>", "no topic listed", ["python", "c++ & <rust>"])
    assert "no circle for you in <#C1> this season: no topic listed" in note
    assert "`python`, `c++ &amp; &lt;rust&gt;`" in note and "/coffee interests add python" in note
    bare = unplaced_note("<#C1>", "nobody else listed your topics", [])
    assert "/coffee interests add" in bare and "block" not in bare.casefold()


def test_admin_run_mid_season_asks_before_ending_it() -> None:
    asked = season_blocks.end_season_confirm(4, 17, datetime(2027, 3, 1, 9, tzinfo=UTC), "Europe/Berlin")
    assert "running until Mon 01 Mar 2027, 10:00 CET" in str(asked["blocks"])
    [confirm] = [
        e
        for b in asked["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == RUN_CONFIRM
    ]
    assert confirm["value"] == "4:17"


def test_a_season_run_says_how_many_circles_and_whether_one_ended_early() -> None:
    planned = PlannedRound(5, 6, 30, [], season=True)
    reply = season_blocks.run_reply(ManualRun(planned, None, None, ended_season=4), "UTC")
    assert "Season started: 6 circles from 30 eligible people" in reply["text"]
    assert "ended early" in reply["text"]
    held = season_blocks.run_reply(
        ManualRun(PlannedRound(5, 0, 30, [], held=("x",), season=True), None, None), "UTC"
    )
    assert "season was held back" in held["text"] and "season 5" in held["text"]
