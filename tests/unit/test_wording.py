"""What the builders say: names in notification texts, plurals, kind and plain wording."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from serendip.adapters.slack.views import admin_blocks, ask_blocks, intro_blocks, round_blocks
from serendip.adapters.slack.views.blocks import local_time
from serendip.domain.delivery_reasons import plain_reason, plain_reasons
from serendip.domain.plural import plural
from serendip.domain.schedule import Frequency, replaces_next_round
from serendip.services.administration import Outcome
from serendip.services.asks import AskPeople, SearchResult
from serendip.services.lifecycle.close import SAT_OUT_NOTE, failure_details
from serendip.services.lifecycle.results import ManualRun, PlannedRound, RoundPreview, RoundSummary
from serendip.services.programs import SetupResult

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PEOPLE = AskPeople(7, "pricing", "U0ADA0001", "Sales", "U0BO00002", ("pricing",), "Ada Lovelace", "Bo Li")


@pytest.mark.parametrize(
    ("count", "word", "said"),
    [
        (1, "second", "1 second"),
        (2, "second", "2 seconds"),
        (0, "intro", "0 intros"),
        (1, "person", "1 person"),
        (2, "person", "2 people"),
        (3, "eligible person", "3 eligible people"),
        (1, "group DM", "1 group DM"),
        (2, "group DM", "2 group DMs"),
    ],
)
def test_plural_puts_the_word_in_the_right_number(count: int, word: str, said: str) -> None:
    assert plural(count, word) == said


def test_the_estimate_of_one_intro_is_one_second_for_one_group_dm() -> None:
    assert "about 1 second for 1 group DM " in round_blocks.estimate_text(1)


def test_failure_reasons_read_as_plain_words_and_never_as_slack_codes() -> None:
    codes = ["user_disabled", "gave_up:internal_error", "members_left", "channel_not_found", "weird_new_code"]
    for code in codes:
        assert "_" not in plain_reason(code) and ":" not in plain_reason(code)
    assert plain_reasons(["user_disabled", "account_inactive", "gave_up:x"])[0] == (
        "someone's Slack account can't receive messages"
    )


def test_the_round_summary_explains_failures_without_codes_and_counts_right() -> None:
    summary = RoundSummary(3, 1, "C1", eligible=3, groups=1, delivered=0, failed={9: "user_disabled"})
    text, blocks = intro_blocks.round_summary(summary)
    assert "0 of 1 intro delivered to 3 people" in text
    assert "1 intro could not be delivered (someone's Slack account can't receive messages)" in text
    assert "user_disabled" not in str(blocks) and "`" not in text
    summary.sat_out = {"U1": "whatever the matcher said"}
    assert "1 person sat out" in intro_blocks.round_summary(summary)[0]


def test_the_admins_failure_dm_carries_the_raw_codes() -> None:
    summary = RoundSummary(3, 1, "C1", failed={9: "user_disabled", 4: "gave_up:ratelimited"})
    text = failure_details(summary)
    assert text.startswith(":warning: 2 intros of round 3")
    assert text.index("intro 4: `gave_up:ratelimited`") < text.index("intro 9: `user_disabled`")


def test_the_sit_out_note_does_not_suggest_anyone_blocked_the_reader() -> None:
    note = SAT_OUT_NOTE.format(channel="C1").casefold()
    assert "block" not in note and "next round" in note


def test_ask_notifications_use_names_and_mentions_stay_in_the_blocks() -> None:
    text, blocks = ask_blocks.expert_request(PEOPLE)
    assert text == "Ada Lovelace would like to ask you about pricing"
    assert "<@U0ADA0001>" in str(blocks)
    assert ask_blocks.intro_text(PEOPLE)[0] == "Ada Lovelace, meet Bo Li"
    assert "<@" not in ask_blocks.requested_reply(PEOPLE)["text"]
    assert "<@" not in ask_blocks.answered(False, PEOPLE)["text"]
    assert "<@" not in ask_blocks.answered(True, PEOPLE)["text"]


def test_a_name_that_is_unknown_is_someone_never_a_raw_id() -> None:
    unnamed = AskPeople(7, "pricing", "U0ADA0001", None, "U0BO00002", ())
    assert ask_blocks.expert_request(unnamed)[0] == "someone would like to ask you about pricing"


def test_busy_experts_say_when_to_ask_again_and_offer_other_topics() -> None:
    free = NOW + timedelta(days=3)
    result = SearchResult("pricing", suggestions=["billing"], nobody_free=True, free_again=free)
    said = str(ask_blocks.search_reply(result, "Europe/Berlin")["blocks"])
    assert f"can be asked again from *{local_time(free, 'Europe/Berlin')}*" in said
    assert "another topic" in said and "`/coffee ask billing`" in said
    assert "`/coffee ask pricing`" not in said


def _outcome(**changes: object) -> Outcome:
    outcome = Outcome(1, "C1", "Europe/Berlin", NOW, False)
    for key, value in changes.items():
        setattr(outcome, key, value)
    return outcome


def test_the_channel_announcement_names_people_in_its_notification_text() -> None:
    outcome = _outcome(changes=["<@U0BO00002> is now a program admin"])
    note = admin_blocks.announcement(
        "U0ADA0001", outcome, {"U0ADA0001": "Ada Lovelace", "U0BO00002": "Bo Li"}
    )
    assert note is not None
    assert note[0] == "Ada Lovelace updated this program: Bo Li is now a program admin."
    assert "<@U0ADA0001>" in str(note[1])
    anonymous = admin_blocks.announcement("U0ADA0001", outcome)
    assert anonymous is not None and "<@" not in anonymous[0]


def test_the_admins_reply_gives_the_next_round_in_their_zone() -> None:
    reply = admin_blocks.change_reply(_outcome(changes=["day: Monday → Friday"]), "Asia/Tokyo")
    assert local_time(NOW, "Asia/Tokyo") in reply["text"]


def test_the_setup_reply_gives_the_first_round_in_the_members_zone_and_how_to_change_the_programs() -> None:
    result = SetupResult(1, "C1", True, ["U1"], 2, NOW, "America/New_York", "America/New_York")
    text = admin_blocks.setup_reply(result)["text"]
    assert "Enrolled 1 new member;" in text
    assert f"First round: *{local_time(NOW, 'America/New_York')}*" in text
    assert "Rounds follow *America/New_York* (your time zone)" in text
    assert "`/coffee admin set timezone Europe/Berlin`" in text


def test_the_setup_reply_says_when_the_members_zone_was_unknown() -> None:
    text = admin_blocks.setup_reply(SetupResult(1, "C1", True, [], 0, NOW, "UTC", None))["text"]
    assert "Rounds follow *UTC* (as Slack didn't tell me your time zone)" in text


@pytest.mark.parametrize(
    ("frequency", "within", "beyond"),
    [
        (Frequency.WEEKLY, timedelta(days=3, hours=12), timedelta(days=3, hours=13)),
        (Frequency.BIWEEKLY, timedelta(days=7), timedelta(days=7, hours=1)),
        (Frequency.MONTHLY, timedelta(days=15), timedelta(days=15, hours=1)),
    ],
)
def test_a_run_replaces_the_next_round_only_within_half_a_period(
    frequency: Frequency, within: timedelta, beyond: timedelta
) -> None:
    assert replaces_next_round(now=NOW, next_run_at=NOW + within, frequency=frequency)
    assert not replaces_next_round(now=NOW, next_run_at=NOW + beyond, frequency=frequency)
    assert not replaces_next_round(now=NOW, next_run_at=None, frequency=frequency)


def test_the_run_reply_says_whether_it_replaced_the_scheduled_round() -> None:
    planned = PlannedRound(5, 1, 2, [])
    later = NOW + timedelta(days=7)
    replaced = round_blocks.run_started(ManualRun(planned, NOW, later), "Europe/Berlin")
    assert "Round started: 2 people in 1 intro." in replaced
    assert f"replaces the one scheduled for {local_time(NOW, 'Europe/Berlin')}" in replaced
    assert f"The next one is {local_time(later, 'Europe/Berlin')}" in replaced
    extra = round_blocks.run_started(ManualRun(planned, None, later), "Europe/Berlin")
    assert (
        f"extra round: the next scheduled round still happens on {local_time(later, 'Europe/Berlin')}"
        in extra
    )


def test_the_preview_says_when_membership_changed_and_counts_right() -> None:
    preview = RoundPreview(1, [], {}, "U1", {}, True)
    text = str(round_blocks.preview_message(preview, names=True)["blocks"])
    assert "1 eligible person in 0 groups" in text
    assert "Membership changed since the last preview; these groups use a new draw" in text
    steady = str(round_blocks.preview_message(RoundPreview(2, [["U1", "U2"]], {}, None, {}), names=True))
    assert "2 eligible people in 1 group." in steady and "Membership changed" not in steady


def test_notification_text_shows_channel_and_people_names_instead_of_raw_ids() -> None:
    from serendip.domain.mentions import channel_mention, notification_text

    text = f"Nobody to meet in {channel_mention('C0123ABC', 'coffee-chats')} with <@U0ABC|Ada Lovelace>."
    assert notification_text(text) == "Nobody to meet in #coffee-chats with Ada Lovelace."
    assert notification_text("Welcome to <#C0123ABC>! <@U0ABC> says hi") == (
        "Welcome to your intro channel! someone says hi"
    )
    assert channel_mention("C1", "") == "<#C1>"
