"""The `/coffee` grammar: every command, every usage error, and properties over any text."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from serendip.domain.command_parser import parse_command
from serendip.domain.command_words import clean
from serendip.domain.commands import (
    AdminAdmins,
    AdminCommand,
    AdminConfig,
    AdminExport,
    AdminPause,
    AdminPreview,
    AdminResume,
    AdminRun,
    AdminSet,
    AdminSetting,
    AdminSetup,
    AdminStats,
    Ask,
    Asks,
    Command,
    Expertise,
    ForgetMe,
    Frequency,
    Help,
    History,
    Interests,
    Join,
    Leave,
    MyData,
    Pause,
    Profile,
    RepeatMode,
    Resume,
    Skip,
    Status,
    Team,
    UsageError,
    Weekday,
    read_switch,
    read_time,
    read_timezone,
    read_weekday,
)
from serendip.domain.program_kinds import ProgramKind, read_kind
from serendip.domain.tags import split_tags
from serendip.domain.usage import HELP_TEXT, PARTICIPANT_COMMANDS, usage_for


def error_of(text: str) -> UsageError:
    """Parse text that must be refused."""
    result = parse_command(text)
    assert isinstance(result, UsageError), result
    return result


# ---- participant commands


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Status()),
        ("status", Status()),
        ("help", Help()),
        ("?", Help()),
        ("join", Join()),
        ("leave", Leave()),
        ("resume", Resume()),
        ("unpause", Resume()),
        ("skip", Skip()),
        ("profile", Profile()),
        ("history", History()),
        ("forget-me", ForgetMe()),
        ("forget me", ForgetMe()),
        ("my-data", MyData()),
        ("my data", MyData()),
        ("MyData", MyData()),
        ("my_data", MyData()),
    ],
)
def test_commands_without_arguments_parse_to_their_command(text: str, expected: Command) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    "text", ["join now", "leave all", "skip 2", "history all", "forget-me please", "my-data all"]
)
def test_a_command_without_arguments_refuses_one(text: str) -> None:
    error = error_of(text)
    assert "takes no argument" in error.message
    assert error.usage == usage_for(text.split()[0])


def test_help_about_one_command_names_it() -> None:
    assert parse_command("help Pause") == Help(topic="pause")
    assert parse_command("help admin set") == Help(topic="admin set")


def test_help_about_an_unknown_command_is_refused_with_a_suggestion() -> None:
    assert "Did you mean `/coffee help pause`?" in error_of("help paus").message


def test_pause_without_argument_lasts_until_resume() -> None:
    assert parse_command("pause") == Pause(days=None, until=None)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("pause 2w", 14),
        ("pause 10d", 10),
        ("pause 10 D", 10),
        ("pause 1 week", 7),
        ("pause 3 days", 3),
        ("pause for 2 weeks", 14),
        ("pause 365d", 365),
        ("pause 52w", 364),
        ("pause ２ｗ", 14),
    ],
)
def test_pause_for_days_or_weeks_counts_days(text: str, days: int) -> None:
    assert parse_command(text) == Pause(days=days)


def test_pause_until_a_date_keeps_the_date() -> None:
    assert parse_command("pause until 2026-12-24") == Pause(until=dt.date(2026, 12, 24))


def test_pause_accepts_a_date_without_until() -> None:
    assert parse_command("pause 2026-12-24") == Pause(until=dt.date(2026, 12, 24))


def test_pause_until_a_past_date_is_left_to_the_service() -> None:
    assert parse_command("pause until 2001-01-01") == Pause(until=dt.date(2001, 1, 1))


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("pause 0d", "1 to 365 days"),
        ("pause 53w", "371 days"),
        ("pause 366d", "1 to 365 days"),
        ("pause 10", "`10d` for days or `10w` for weeks"),
        ("pause tomorrow", "can't read `tomorrow`"),
        ("pause until", "Say until when"),
        ("pause until next week", "YYYY-MM-DD"),
        ("pause until 2026-02-30", "isn't a day on the calendar"),
        ("pause until 2026-13-01", "isn't a day on the calendar"),
        ("pause until 24.12.2026", "YYYY-MM-DD"),
    ],
)
def test_a_pause_that_cannot_be_read_says_why_and_shows_pause_usage(text: str, complaint: str) -> None:
    error = error_of(text)
    assert complaint in error.message
    assert error.usage == usage_for("pause")


def test_team_takes_the_rest_of_the_line_unescaped() -> None:
    assert parse_command("team   R&amp;D   Platform ") == Team(name="R&D Platform")


def test_team_strips_surrounding_quotes() -> None:
    assert parse_command('team "Customer Success"') == Team(name="Customer Success")


def test_team_without_a_name_is_refused() -> None:
    assert error_of("team").usage == usage_for("team")


def test_team_with_an_overlong_name_is_refused() -> None:
    assert "80 characters" in error_of("team " + "x" * 81).message


@pytest.mark.parametrize(("kind", "make"), [("expertise", Expertise), ("interests", Interests)])
def test_tags_are_added_normalised_and_deduplicated(kind: str, make: type) -> None:
    assert parse_command(f"{kind} add K8s, APIs, kubernetes, C++") == make(
        action="add", tags=("kubernetes", "api", "c++")
    )


def test_tags_are_removed_with_remove() -> None:
    assert parse_command("interests remove ML") == Interests(action="remove", tags=("machine learning",))


def test_tags_are_unescaped_before_splitting() -> None:
    assert parse_command("expertise add R&amp;D, &lt;html&gt;") == Expertise(
        action="add", tags=("r&d", "html")
    )


def test_tags_without_add_or_remove_are_refused_with_an_example() -> None:
    error = error_of("expertise python, go")
    assert "Did you mean `/coffee expertise add python, go`?" in error.message
    assert error.usage == usage_for("expertise")


@pytest.mark.parametrize("text", ["expertise", "interests add", "expertise add , ,", "interests remove !!"])
def test_tags_missing_entirely_are_refused(text: str) -> None:
    assert error_of(text).usage == usage_for(text.split()[0])


def test_an_overlong_tag_is_refused_by_name() -> None:
    error = error_of("expertise add go, " + "a" * 41)
    assert "`" + "a" * 39 + "…` is too long for a tag" in error.message


def test_more_than_fifteen_tags_are_refused() -> None:
    assert "16 tags; 15 at most" in error_of("interests add " + ", ".join(f"t{i}" for i in range(16))).message


def test_fifteen_tags_are_fine() -> None:
    result = parse_command("interests add " + ", ".join(f"t{i}" for i in range(15)))
    assert isinstance(result, Interests) and len(result.tags) == 15


def test_ask_keeps_the_topic_as_written_but_unescaped() -> None:
    assert parse_command("ask  Kubernetes &amp; Helm charts ") == Ask(topic="Kubernetes & Helm charts")


@pytest.mark.parametrize("text", ["ask", "ask  ?!", "ask 🚀"])
def test_ask_without_a_topic_is_refused(text: str) -> None:
    assert error_of(text).usage == usage_for("ask")


@pytest.mark.parametrize(("text", "enabled"), [("asks on", True), ("asks OFF", False), ("asks yes", True)])
def test_asks_switches_being_asked_on_or_off(text: str, enabled: bool) -> None:
    assert parse_command(text) == Asks(enabled=enabled)


@pytest.mark.parametrize("text", ["asks", "asks maybe"])
def test_asks_without_on_or_off_is_refused(text: str) -> None:
    error = error_of(text)
    assert "Say `on` or `off`" in error.message
    assert error.usage == usage_for("asks")


# ---- unknown commands and general rules


def test_an_unknown_command_suggests_the_closest_and_shows_the_help() -> None:
    error = error_of("jion")
    assert error.message == "Unknown command `jion`. Did you mean `/coffee join`?"
    assert error.usage == HELP_TEXT


def test_an_unknown_command_far_from_any_gets_no_suggestion() -> None:
    assert error_of("xyzzy").message == "Unknown command `xyzzy`."


def test_an_unknown_command_is_echoed_escaped_and_short() -> None:
    message = error_of("<b>&amp;`" + "x" * 100).message
    assert message.startswith("Unknown command `&lt;b&gt;&amp;'xxx")
    assert "…`" in message


def test_text_over_two_thousand_characters_is_refused() -> None:
    error = error_of("ask " + "x" * 1997)
    assert error.message == "That's too long: 2,000 characters at most."
    assert error.usage == usage_for("ask")


def test_text_of_two_thousand_characters_is_fine() -> None:
    assert parse_command("ask " + "x" * 1996) == Ask(topic="x" * 1996)


def test_a_huge_payload_is_refused_quickly() -> None:
    assert "too long" in error_of("join " + "\u200b" * 1_000_000).message


def test_control_and_bidi_characters_are_stripped() -> None:
    assert parse_command("\u202ejo\x00in\u202c\u200f") == Join()


def test_keywords_ignore_case_and_width() -> None:
    assert parse_command("ＪＯＩＮ") == Join()
    assert parse_command("Admin SET Day FRIDAY") == AdminSet(setting=AdminSetting.DAY, value=Weekday.FRI)


# ---- admin commands


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("admin setup", AdminSetup()),
        ("admin config", AdminConfig()),
        ("admin pause", AdminPause()),
        ("admin resume", AdminResume()),
        ("admin preview", AdminPreview(names=False)),
        ("admin preview names", AdminPreview(names=True)),
        ("admin run", AdminRun()),
        ("admin stats", AdminStats()),
        ("admin export", AdminExport()),
    ],
)
def test_admin_commands_parse_to_their_command(text: str, expected: Command) -> None:
    assert parse_command(text) == expected
    assert isinstance(expected, AdminCommand)


def test_participant_commands_are_not_admin_commands() -> None:
    assert not isinstance(parse_command("pause"), AdminCommand)


def test_admin_alone_asks_for_a_subcommand_and_shows_admin_usage() -> None:
    error = error_of("admin")
    assert "Say which admin command" in error.message
    assert error.usage == usage_for("admin")


def test_an_unknown_admin_command_suggests_the_closest() -> None:
    error = error_of("admin stat")
    assert error.message == "Unknown admin command `stat`. Did you mean `/coffee admin stats`?"
    assert error.usage == usage_for("admin")


@pytest.mark.parametrize("text", ["admin run now", "admin stats weekly", "admin setup here"])
def test_admin_commands_without_arguments_refuse_one(text: str) -> None:
    assert "takes no argument" in error_of(text).message


def test_admin_preview_accepts_only_names() -> None:
    assert error_of("admin preview all").usage == usage_for("admin preview")


@pytest.mark.parametrize(
    ("text", "setting", "value"),
    [
        ("frequency weekly", AdminSetting.FREQUENCY, Frequency.WEEKLY),
        ("frequency BiWeekly", AdminSetting.FREQUENCY, Frequency.BIWEEKLY),
        ("frequency monthly", AdminSetting.FREQUENCY, Frequency.MONTHLY),
        ("day mon", AdminSetting.DAY, Weekday.MON),
        ("day Sunday", AdminSetting.DAY, Weekday.SUN),
        ("day thurs", AdminSetting.DAY, Weekday.THU),
        ("time 10:00", AdminSetting.TIME, dt.time(10, 0)),
        ("time 9:30", AdminSetting.TIME, dt.time(9, 30)),
        ("time 23:59", AdminSetting.TIME, dt.time(23, 59)),
        ("timezone Europe/Berlin", AdminSetting.TIMEZONE, "Europe/Berlin"),
        ("timezone america/new york", AdminSetting.TIMEZONE, "America/New_York"),
        ("timezone UTC", AdminSetting.TIMEZONE, "UTC"),
        ("size 2", AdminSetting.SIZE, 2),
        ("size 6", AdminSetting.SIZE, 6),
        ("mode prefer", AdminSetting.MODE, RepeatMode.PREFER),
        ("mode strict", AdminSetting.MODE, RepeatMode.STRICT),
        ("mode off", AdminSetting.MODE, RepeatMode.OFF),
        ("cooldown 0", AdminSetting.COOLDOWN, 0),
        ("cooldown 52", AdminSetting.COOLDOWN, 52),
        ("followup on", AdminSetting.FOLLOWUP, True),
        ("follow-up off", AdminSetting.FOLLOWUP, False),
        ("size 8", AdminSetting.SIZE, 8),
        ("kind circles", AdminSetting.KIND, ProgramKind.CIRCLES),
        ("kind Intros", AdminSetting.KIND, ProgramKind.INTROS),
        ("kind circle", AdminSetting.KIND, ProgramKind.CIRCLES),
        ("season 12w", AdminSetting.SEASON, 12),
        ("season 6 weeks", AdminSetting.SEASON, 6),
        ("season 26W", AdminSetting.SEASON, 26),
    ],
)
def test_admin_set_reads_each_setting_as_its_type(text: str, setting: AdminSetting, value: object) -> None:
    result = parse_command(f"admin set {text}")
    assert isinstance(result, AdminSet)
    assert (result.setting, result.value, type(result.value)) == (setting, value, type(value))


def test_admin_set_welcome_keeps_the_text_as_slack_sent_it() -> None:
    text = "Hi <@U1|ann> &amp; welcome!\nSee <https://x.example|the wiki>."
    assert parse_command(f"admin set welcome {text}") == AdminSet(setting=AdminSetting.WELCOME, value=text)


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("frequency daily", "isn't one of `weekly`, `biweekly`, `monthly`"),
        ("day mo", "isn't a day of the week"),
        ("day someday", "isn't a day of the week"),
        ("time 10am", "isn't a 24-hour time"),
        ("time 24:00", "isn't a 24-hour time"),
        ("time 10:60", "isn't a 24-hour time"),
        ("timezone Mars/Olympus", "isn't a time zone I know"),
        ("timezone Europe/Berln", "Did you mean `Europe/Berlin`?"),
        ("timezone ../../etc/passwd", "isn't a time zone I know"),
        ("size 1", "from 2 to 6 for intros, from 3 to 8 for circles"),
        ("size 9", "from 2 to 6 for intros, from 3 to 8 for circles"),
        ("size two", "from 2 to 6"),
        ("kind coffee", "isn't one of `intros`, `circles`"),
        ("season 5w", "from `6w` to `26w`"),
        ("season 27w", "from `6w` to `26w`"),
        ("season 12", "like `12w`"),
        ("season 12d", "like `12w`"),
        ("mode random", "isn't one of `prefer`, `strict`, `off`"),
        ("cooldown 53", "from 0 to 52"),
        ("cooldown -1", "from 0 to 52"),
        ("followup sometimes", "Say `on` or `off`"),
        ("welcome  ", "Say what to set `welcome` to"),
        ("welcome :) !", "Write the welcome message"),
        ("size", "Say what to set `size` to"),
    ],
)
def test_admin_set_with_a_bad_value_says_why_and_shows_that_settings_usage(text: str, complaint: str) -> None:
    error = error_of(f"admin set {text}")
    assert complaint in error.message
    assert error.usage == usage_for(f"admin set {text.split()[0].replace('-', '')}")


def test_admin_set_without_a_setting_shows_every_setting() -> None:
    assert error_of("admin set").usage == usage_for("admin set")


def test_admin_set_of_an_unknown_setting_suggests_the_closest() -> None:
    assert "Did you mean `/coffee admin set frequency`?" in error_of("admin set frequncy weekly").message


def test_admins_are_added_by_mention_in_order_without_repeats() -> None:
    assert parse_command("admin admins add <@U123> <@W456|bob smith>, and <@U123>") == AdminAdmins(
        action="add", user_ids=("U123", "W456")
    )


def test_admins_are_removed_by_mention() -> None:
    assert parse_command("admin admins remove <@U1AB>") == AdminAdmins(action="remove", user_ids=("U1AB",))


def test_admins_named_with_a_plain_at_are_refused_asking_for_a_mention() -> None:
    error = error_of("admin admins add <@U123> @bob")
    assert error.message == "I can't tell who `@bob` is: pick the person from the @-mention list."
    assert error.usage == usage_for("admin admins")


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("admin admins", "Say `add` or `remove`"),
        ("admin admins add", "@-mention at least one person"),
        ("admin admins add bob", "`bob` isn't a person"),
        ("admin admins add <#C123|general>", "isn't a person"),
    ],
)
def test_admins_without_a_proper_mention_are_refused(text: str, complaint: str) -> None:
    assert complaint in error_of(text).message


# ---- value readers shared with the settings modal


def test_readers_give_none_for_what_they_cannot_read() -> None:
    assert (read_weekday("fr"), read_time("7pm"), read_timezone("Nowhere/Town"), read_switch("?")) == (
        None,
        None,
        None,
        None,
    )


# ---- help texts


def test_the_help_text_lists_every_participant_command() -> None:
    for name in PARTICIPANT_COMMANDS:
        assert name == "status" or f"/coffee {name}" in HELP_TEXT


def test_usage_for_an_unknown_subcommand_is_the_full_help() -> None:
    assert usage_for("nonsense") == HELP_TEXT
    assert usage_for("") == HELP_TEXT


def test_usage_for_admin_covers_every_admin_line() -> None:
    assert usage_for("admin set day") in usage_for("admin set")
    assert usage_for("admin set") in usage_for("admin")


# ---- properties

_TOKENS = [
    *PARTICIPANT_COMMANDS,
    "admin",
    "set",
    "add",
    "remove",
    "names",
    "until",
    "on",
    "off",
    "me",
    "forget",
    "my",
    "data",
    "frequency",
    "day",
    "time",
    "timezone",
    "size",
    "mode",
    "cooldown",
    "followup",
    "welcome",
    "admins",
    "preview",
    "2w",
    "10d",
    "0d",
    "999999w",
    "2026-12-24",
    "2026-02-30",
    "0000-00-00",
    "10:00",
    "25:99",
    "Europe/Berlin",
    "europe/berln",
    "3",
    "52",
    "-1",
    "<@U123>",
    "<@U1|x y>",
    "<@",
    "<@U",
    "@bob",
    ",",
    "&amp;",
    "&lt;",
    "&gt;",
    "&",
    "<",
    ">",
    "`",
    "\u202e",
    "\u200f",
    "\u200d",
    "🚀",
    "👩\u200d💻",
    "٣",
    "ß",
    "İ",
    "\x00",
    "\x1c",
    "\u2028",
    "\ud800",
    "x" * 45,
    "k8s",
    "c++",
    "?",
]
token_soup = st.lists(
    st.tuples(st.sampled_from(_TOKENS), st.sampled_from([" ", "  ", "\t", "\n", ",", "", "\u00a0"])),
    max_size=12,
).map(lambda pairs: "".join(token + sep for token, sep in pairs))
any_text = st.one_of(
    st.text(),
    st.text(st.characters(min_codepoint=0, max_codepoint=0x2FFF)),
    token_soup,
    st.builds(
        "{} {}".format,
        st.sampled_from(["expertise add", "admin set", "pause", "admin admins add"]),
        st.text(),
    ),
)


def is_mrkdwn_safe(text: str) -> bool:
    """No raw `<`/`>` and every `&` starts one of Slack's three entities."""
    return "<" not in text and ">" not in text and not re.search(r"&(?!amp;|lt;|gt;)", text)


@given(any_text)
@example("x" * 2001)
@example("expertise add " + ",".join(["a"] * 20))
@example("\ud800join")
@example("pause " + "9" * 5000 + "d")
def test_any_text_gives_a_command_or_a_safe_usage_error(text: str) -> None:
    result = parse_command(text)
    assert isinstance(result, Command | UsageError)
    if isinstance(result, UsageError):
        assert result.message and result.usage
        assert is_mrkdwn_safe(result.message) and is_mrkdwn_safe(result.usage)


# 30 examples, not hypothesis's 100: drawing 2,000-character texts took 10 s; 30 still cover every
# command prefix several times, and the exact 2,000/2,001 boundary has its own tests above.
@settings(max_examples=30)
@given(st.sampled_from(["", "join ", "ask ", "admin set welcome "]), st.text("abc xyz,<>&", min_size=2001))
def test_any_visible_text_over_two_thousand_characters_is_refused(command: str, text: str) -> None:
    assert "too long" in error_of(command + "a" + text + "z").message


@given(st.integers(1, 365), st.sampled_from(["d", "D", " d", " days", "day", " Days"]))
def test_any_valid_number_of_days_pauses_for_that_many_days(days: int, unit: str) -> None:
    assert parse_command(f"pause {days}{unit}") == Pause(days=days)


@given(st.integers(1, 52), st.sampled_from(["w", "W", " w", " weeks", "week", "wk"]))
def test_any_valid_number_of_weeks_pauses_for_seven_times_as_many_days(weeks: int, unit: str) -> None:
    assert parse_command(f"pause {weeks}{unit}") == Pause(days=7 * weeks)


@given(st.integers(366, 10**6) | st.just(0), st.sampled_from(["d", "w"]))
def test_any_pause_outside_a_year_is_refused(amount: int, unit: str) -> None:
    if unit == "d" or amount * 7 > 365 or amount == 0:
        assert isinstance(parse_command(f"pause {amount}{unit}"), UsageError)


@given(st.dates())
def test_any_date_round_trips_through_pause_until(day: dt.date) -> None:
    assert parse_command(f"pause until {day.isoformat()}") == Pause(until=day)


@given(st.integers(0, 23), st.integers(0, 59))
def test_any_24_hour_time_round_trips(hour: int, minute: int) -> None:
    value = parse_command(f"admin set time {hour}:{minute:02d}")
    assert value == AdminSet(setting=AdminSetting.TIME, value=dt.time(hour, minute))


@given(st.integers(-5, 60))
def test_group_size_is_accepted_exactly_from_two_to_eight_leaving_the_kind_to_the_program(size: int) -> None:
    result = parse_command(f"admin set size {size}")
    assert (result == AdminSet(setting=AdminSetting.SIZE, value=size)) == (2 <= size <= 8)


@given(st.integers(0, 400), st.sampled_from(["w", "W", " w", "wk", " weeks", "week", "ｗ"]))
def test_a_season_is_accepted_exactly_from_six_to_twenty_six_weeks(weeks: int, unit: str) -> None:
    result = parse_command(f"admin set season {weeks}{unit}")
    if 6 <= weeks <= 26:
        assert result == AdminSet(setting=AdminSetting.SEASON, value=weeks)
    else:
        assert isinstance(result, UsageError) and "`6w` to `26w`" in result.message
        assert result.usage == usage_for("admin set season")


@given(st.text(max_size=12))
def test_any_season_text_is_a_season_in_weeks_or_a_usage_error(text: str) -> None:
    result = parse_command(f"admin set season {text}")
    if isinstance(result, AdminSet):
        assert result.setting is AdminSetting.SEASON and isinstance(result.value, int)
        assert 6 <= result.value <= 26 and str(result.value) in unicodedata.normalize("NFKC", clean(text))
    else:
        assert isinstance(result, UsageError) and result.usage.startswith(usage_for("admin set season")[:20])


@given(st.sampled_from(["intros", "circles", "intro", "circle"]), st.data())
def test_a_kind_is_read_whatever_its_case(kind: str, data: st.DataObject) -> None:
    mixed = "".join(ch.upper() if data.draw(st.booleans()) else ch for ch in kind)
    expected = ProgramKind.CIRCLES if kind.startswith("circle") else ProgramKind.INTROS
    assert parse_command(f"admin set kind {mixed}") == AdminSet(setting=AdminSetting.KIND, value=expected)


@given(st.text(max_size=10).filter(lambda t: read_kind(clean(t)) is None))
def test_any_other_kind_is_refused_naming_both(text: str) -> None:
    result = parse_command(f"admin set kind {text}")
    assert isinstance(result, UsageError)
    assert "intros" in result.usage and "circles" in result.usage


_ID = st.from_regex(r"[UW][A-Z0-9]{2,10}", fullmatch=True)


@given(st.lists(st.tuples(_ID, st.sampled_from(["", "|ann", "|Bob Smith"])), min_size=1, max_size=6))
def test_any_mentions_give_their_ids_in_order_without_repeats(mentions: list[tuple[str, str]]) -> None:
    text = "admin admins add " + " ".join(f"<@{user}{label}>" for user, label in mentions)
    ids = tuple(dict.fromkeys(user for user, _ in mentions))
    assert parse_command(text) == AdminAdmins(action="add", user_ids=ids)


_TAG = st.text(alphabet="abcdefghijklmnopqrstuvwxyz+#. ", min_size=1, max_size=30)


@given(st.lists(_TAG, min_size=1, max_size=20))
def test_any_tag_list_adds_its_split_tags_or_is_refused(tags: list[str]) -> None:
    text = ", ".join(tags)
    result = parse_command(f"expertise add {text}")
    expected = tuple(split_tags(text))
    if 1 <= len(expected) <= 15:
        assert result == Expertise(action="add", tags=expected)
    else:
        assert isinstance(result, UsageError)


_CASELESS = [
    "",
    "help",
    "join",
    "leave",
    "pause",
    "pause 2w",
    "pause until 2026-12-24",
    "resume",
    "skip",
    "profile",
    "expertise add k8s, apis",
    "interests remove go",
    "asks off",
    "history",
    "forget-me",
    "my-data",
    "my data",
    "admin setup",
    "admin preview names",
    "admin set day wed",
    "admin set timezone europe/berlin",
    "admin set mode strict",
    "admin admins add <@U123>",
    "admin set frequency monthly",
    "jion",
    "pause 0d",
    "admin set size 9",
    "admin set kind circles",
    "admin set season 12w",
    "admin set season 30w",
]
_BLANKS = st.text(alphabet=" \t\n\u00a0\u2003\u3000", max_size=5)


@given(st.sampled_from(_CASELESS), _BLANKS, _BLANKS)
def test_parsing_ignores_surrounding_whitespace(text: str, before: str, after: str) -> None:
    assert parse_command(before + text + after) == parse_command(text)


@given(st.sampled_from(_CASELESS), st.data())
def test_parsing_ignores_the_case_of_keywords(text: str, data: st.DataObject) -> None:
    # Slack ids are case-sensitive, so mentions keep their case.
    upper = data.draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    mention = text.find("<@")
    mixed = "".join(
        ch.upper() if up and (mention < 0 or i < mention) else ch
        for i, (ch, up) in enumerate(zip(text, upper, strict=True))
    )
    result, expected = parse_command(mixed), parse_command(text)
    if isinstance(expected, UsageError):
        # The message may quote the input as typed.
        assert isinstance(result, UsageError) and result.usage == expected.usage
    else:
        assert result == expected


@given(
    st.sampled_from(_CASELESS),
    st.lists(
        st.tuples(
            st.integers(0, 60),
            st.sampled_from(
                ["\x00", "\x7f", "\u200b", "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\ufeff", "\x1b"]
            ),
        ),
        max_size=5,
    ),
)
def test_invisible_characters_anywhere_change_nothing(text: str, inserts: list[tuple[int, str]]) -> None:
    noisy = text
    for position, ch in inserts:
        noisy = noisy[:position] + ch + noisy[position:]
    assert parse_command(noisy) == parse_command(text)


def test_my_followed_by_anything_but_data_is_an_unknown_command_with_my_data_usage() -> None:
    error = error_of("my stuff")
    assert "Unknown command" in error.message and error.usage == usage_for("my-data")
    assert "my-data" in usage_for("my-data") and "/coffee my-data" in HELP_TEXT


# ---- circles


def test_leave_circle_is_its_own_command_and_leave_alone_still_leaves_the_program() -> None:
    from serendip.domain.commands import LeaveCircle

    assert parse_command("leave circle") == LeaveCircle()
    assert parse_command("LEAVE  Circle") == LeaveCircle()
    assert parse_command("leave") == Leave()
    assert "`/coffee leave circle`" in error_of("leave everything").message
    assert "/coffee leave circle" in usage_for("leave") and "/coffee leave circle" in HELP_TEXT
    assert parse_command("help leave circle") == Help(topic="leave circle")
