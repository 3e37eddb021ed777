"""Help and usage texts for `/coffee`, in Slack mrkdwn, ready to post as they are."""

from __future__ import annotations


def _mrkdwn(text: str) -> str:
    """Escape the three characters Slack reserves, so `<name>` shows as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# Written plainly here; escaped for Slack once, below.
_PLAIN_USAGE: dict[str, tuple[str, ...]] = {
    "status": ("`/coffee` — your status, the next round, and help",),
    "help": ("`/coffee help [command]` — all commands, or how to use one",),
    "join": ("`/coffee join` — opt in to this channel's intros (elsewhere: pick a program)",),
    "leave": (
        "`/coffee leave` — opt out of this channel's intros",
        "`/coffee leave circle` — leave your interest circle this season (you stay in the program)",
    ),
    "leave circle": (
        "`/coffee leave circle` — leave your interest circle this season (you stay in the program)",
    ),
    "pause": (
        "`/coffee pause` — pause until you `/coffee resume`",
        "`/coffee pause 2w` or `/coffee pause 10d` — pause for whole weeks or days (365 days at most)",
        "`/coffee pause until 2026-12-24` — pause until a date (YYYY-MM-DD, in your time zone)",
    ),
    "resume": ("`/coffee resume` — end your pause",),
    "skip": ("`/coffee skip` — sit out the next round only",),
    "profile": ("`/coffee profile` — edit your profile",),
    "team": ("`/coffee team <name>` — set your department when the directory has none",),
    "expertise": (
        "`/coffee expertise add <a, b>` — topics you can help with (comma-separated, 15 at most)",
        "`/coffee expertise remove <a, b>` — remove some of them",
    ),
    "interests": (
        "`/coffee interests add <a, b>` — topics you want to learn or talk about (comma-separated)",
        "`/coffee interests remove <a, b>` — remove some of them",
    ),
    "ask": ("`/coffee ask <topic>` — find experts on a topic in other teams and get an intro",),
    "asks": ("`/coffee asks on` or `/coffee asks off` — allow or stop being asked as an expert",),
    "history": ("`/coffee history` — your past intros",),
    "my-data": ("`/coffee my-data` — a JSON file of everything stored about you, sent to your DM",),
    "forget-me": ("`/coffee forget-me` — delete everything stored about you (asks to confirm)",),
    "admin setup": ("`/coffee admin setup` — run intros in this channel and welcome its members",),
    "admin config": ("`/coffee admin config` — open the program's settings",),
    "admin pause": ("`/coffee admin pause` — stop rounds until `/coffee admin resume`",),
    "admin resume": ("`/coffee admin resume` — schedule rounds again",),
    "admin preview": (
        "`/coffee admin preview [names]` — the next round's (or season's) figures and groups, nothing sent",
    ),
    "admin run": ("`/coffee admin run` — start a round (or form a circles season) now",),
    "admin stats": ("`/coffee admin stats` — participation, meeting rate, cross-team rate, growth",),
    "admin export": ("`/coffee admin export` — download the program's data",),
    "admin set frequency": ("`/coffee admin set frequency weekly|biweekly|monthly`",),
    "admin set day": ("`/coffee admin set day mon|tue|wed|thu|fri|sat|sun`",),
    "admin set time": ("`/coffee admin set time 10:00` — 24-hour clock, in the program's time zone",),
    "admin set timezone": ("`/coffee admin set timezone Europe/Berlin` — an IANA time zone name",),
    "admin set size": (
        "`/coffee admin set size 2..6` — people per group (intros; circles take `3..8`, default 5)",
    ),
    "admin set mode": ("`/coffee admin set mode prefer|strict|off` — how repeats and teams weigh",),
    "admin set cooldown": ("`/coffee admin set cooldown 0..52` — rounds before a pair may repeat",),
    "admin set followup": ('`/coffee admin set followup on|off` — ask "did you meet?" halfway',),
    "admin set welcome": ("`/coffee admin set welcome <text>` — the welcome DM for new members",),
    "admin set kind": (
        "`/coffee admin set kind intros|circles` — one-off intros, or topic circles that meet for a "
        "season (changes between seasons only)",
    ),
    "admin set season": (
        "`/coffee admin set season 6w..26w` — how long a circles season lasts (like `12w`)",
    ),
    "admin admins": ("`/coffee admin admins add @user` or `/coffee admin admins remove @user`",),
}

_USAGE = {name: tuple(_mrkdwn(line) for line in lines) for name, lines in _PLAIN_USAGE.items()}

PARTICIPANT_COMMANDS = (
    "status",
    "help",
    "join",
    "leave",
    "pause",
    "resume",
    "skip",
    "profile",
    "team",
    "expertise",
    "interests",
    "ask",
    "asks",
    "history",
    "my-data",
    "forget-me",
)
ADMIN_COMMANDS = ("setup", "config", "pause", "resume", "preview", "run", "stats", "export", "set", "admins")
ADMIN_SETTINGS = (
    "frequency",
    "day",
    "time",
    "timezone",
    "size",
    "mode",
    "cooldown",
    "followup",
    "welcome",
    "kind",
    "season",
)

HELP_TEXT = _mrkdwn(
    "\n".join(
        (
            ":coffee: *Serendip* introduces you to people from other teams.",
            "",
            "*You*",
            "• `/coffee` — your status, the next round, and this help   • `/coffee help [command]`",
            "• `/coffee join` | `/coffee leave` — opt in or out of this channel's intros",
            "• `/coffee leave circle` — leave your interest circle this season (you stay in the program)",
            "• `/coffee pause [2w|10d|until 2026-12-24]` — without an argument, until `/coffee resume`",
            "• `/coffee resume` — end your pause   • `/coffee skip` — sit out the next round only",
            "• `/coffee profile` — edit your profile   • `/coffee team <name>` — set your department",
            "• `/coffee expertise add|remove <a, b>` — what you can help with (comma-separated)",
            "• `/coffee interests add|remove <a, b>` — what you want to learn or talk about",
            "• `/coffee ask <topic>` — find experts on a topic in other teams and get an intro",
            "• `/coffee asks on|off` — allow or stop being asked as an expert",
            "• `/coffee history` — your past intros",
            "• `/coffee my-data` — a JSON file of everything stored about you, sent to your DM",
            "• `/coffee forget-me` — delete everything stored about you (asks to confirm)",
            "",
            "*Program admins* (in the program's channel)",
            "• `/coffee admin setup` | `config` | `pause` | `resume` | `preview [names]` | `run` | `stats`"
            " | `export`",
            "• `/coffee admin set frequency weekly|biweekly|monthly` • `set day mon..sun`"
            " • `set time 10:00` (24h)",
            "• `/coffee admin set timezone Europe/Berlin` • `set size 2..6` • `set mode prefer|strict|off`",
            "• `/coffee admin set cooldown 0..52` (rounds) • `set followup on|off` • `set welcome <text>`",
            "• `/coffee admin set kind intros|circles` • `set season 6w..26w` (circles: `size 3..8`)",
            "• `/coffee admin admins add|remove @user`",
            "",
            "Durations are whole days (`d`) or weeks (`w`); dates are YYYY-MM-DD in your time zone.",
        )
    )
)


def usage_for(subcommand: str) -> str:
    """Usage lines for a subcommand ("pause", "admin set", "admin set day"), else the full help."""
    lines = _lines_for(subcommand)
    return "\n".join(lines) if lines else HELP_TEXT


def is_topic(subcommand: str) -> bool:
    """Whether usage_for has lines of its own for this subcommand."""
    return bool(_lines_for(subcommand))


def _lines_for(subcommand: str) -> list[str]:
    """The usage lines of a subcommand and everything under it ("admin" gives every admin line)."""
    key = " ".join(subcommand.casefold().split())
    if not key:
        return []
    if key in _USAGE:
        return list(_USAGE[key])
    return [line for name, entry in _USAGE.items() if name.startswith(key + " ") for line in entry]
