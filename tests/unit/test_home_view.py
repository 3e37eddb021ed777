"""The App Home and profile modal builders are pure and stay within Block Kit's limits."""

from __future__ import annotations

from datetime import UTC, datetime

from serendip.adapters.slack.views.home_view import home_view, tag_cloud_text
from serendip.adapters.slack.views.profile_modal import profile_modal, read_submission
from serendip.services.home import HomeData, TagCloud
from serendip.services.members import DepartmentSource
from serendip.services.participation import ProgramStatus
from serendip.services.profile_form import ProfileSnapshot


def _snapshot(**changes: object) -> ProfileSnapshot:
    values: dict[str, object] = {
        "slack_id": "U1",
        "department": "Finance",
        "department_source": DepartmentSource.DIRECTORY,
        "tz": "Europe/Berlin",
        "expertise": ["python"],
        "interests": ["design"],
        "blocked": [],
        "work_start": 540,
        "work_end": 1020,
        "may_be_asked": True,
    }
    values.update(changes)
    return ProfileSnapshot(**values)  # type: ignore[arg-type]


def _home(clouds: list[TagCloud], statuses: list[ProgramStatus] | None = None) -> HomeData:
    return HomeData(_snapshot(), statuses or [], [], [], clouds)


def _all_text(view: dict[str, object]) -> str:
    return str(view["blocks"])


def test_the_cloud_lists_the_most_common_first_with_counts_and_bars() -> None:
    text = tag_cloud_text([("go", 1), ("python", 9), ("sql", 6), ("rust", 2)])
    lines = text.splitlines()
    assert [line.split("` ")[1].split(" ·")[0] for line in lines] == ["*python*", "*sql*", "rust", "go"]
    assert lines[0].startswith("`██████████`") and lines[-1].startswith("`█░░░░░░░░░`")
    assert lines[0].endswith("· 9")


def test_the_long_tail_is_one_line_and_the_cloud_fits_a_section() -> None:
    counts = [(f"topic-{i:04d}-" + "x" * 20, 1000 - i) for i in range(400)]
    text = tag_cloud_text(counts)
    assert len(text) <= 3000
    assert text.splitlines()[-1].startswith("_Also:_") and "more" in text.splitlines()[-1]


def test_only_the_top_tier_is_bold() -> None:
    text = tag_cloud_text([("a", 10), ("b", 7), ("c", 6)])
    assert "*a*" in text and "*b*" in text and "*c*" not in text


def test_user_tags_are_escaped_in_the_cloud() -> None:
    assert "r&amp;d" in tag_cloud_text([("r&d", 2)])


def test_home_view_stays_within_one_hundred_blocks() -> None:
    clouds = [TagCloud(f"C{i}", [(f"t{j}", j + 1) for j in range(300)]) for i in range(50)]
    view = home_view(_home(clouds))
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in view["blocks"])


def test_home_offers_pause_when_active_and_resume_when_paused() -> None:
    when = datetime(2030, 1, 7, 9, tzinfo=UTC)
    active = _all_text(home_view(_home([], [ProgramStatus("C1", "active", None, when)])))
    assert "home_pause" in active and "home_resume" not in active and "Next round" in active
    paused = _all_text(home_view(_home([], [ProgramStatus("C1", "paused", when, when)])))
    assert "home_resume" in paused and "home_pause" not in paused


def test_a_member_only_in_circles_sees_the_next_season_not_a_next_round() -> None:
    when = datetime(2030, 1, 7, 9, tzinfo=UTC)
    circles = ProgramStatus("C1", "active", None, when, circles=True, circle_topic="rust")
    text = _all_text(home_view(_home([], [circles])))
    assert "Next season of circles" in text and "Next round" not in text
    both = _all_text(home_view(_home([], [circles, ProgramStatus("C2", "active", None, when)])))
    assert "Next season of circles" in both and "Next round" in both


def test_home_shows_the_department_source_and_tags_with_an_edit_button() -> None:
    text = _all_text(home_view(_home([])))
    assert "Finance _(from your Slack profile)_" in text and "`python`" in text and "open_profile" in text


def test_an_empty_cloud_invites_people_to_tag_themselves() -> None:
    assert "Nobody here has tagged" in _all_text(home_view(_home([TagCloud("C1", [])])))


def test_the_modal_title_fits_and_a_directory_department_is_read_only() -> None:
    modal = profile_modal(_snapshot())
    assert len(modal["title"]["text"]) <= 24 and len(modal["blocks"]) <= 100
    assert "department" not in [b["block_id"] for b in modal["blocks"]]
    editable = profile_modal(_snapshot(department_source=DepartmentSource.SELF))
    assert "department" in [b["block_id"] for b in editable["blocks"]]


def test_reading_a_submission_takes_every_field() -> None:
    values = {
        "department": {"department": {"type": "plain_text_input", "value": "Ops"}},
        "expertise": {"profile_expertise": {"selected_options": [{"value": "go"}]}},
        "interests": {"profile_interests": {"selected_options": []}},
        "blocked": {"blocked": {"selected_users": ["U9"]}},
        "work_start": {"work_start": {"selected_time": "08:00"}},
        "work_end": {"work_end": {"selected_time": None}},
        "may_be_asked": {"may_be_asked": {"selected_options": []}},
    }
    raw = read_submission(values)
    assert (raw.department, list(raw.expertise), list(raw.blocked)) == ("Ops", ["go"], ["U9"])
    assert (raw.work_start, raw.work_end, raw.may_be_asked) == ("08:00", None, False)
    assert read_submission({}).department is None
