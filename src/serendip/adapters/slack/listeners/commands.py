"""`/coffee`: parse the text, run the service, answer in the ack (ephemeral) within 3 seconds."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, Respond

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.models import Member
from serendip.adapters.db.types import utcnow
from serendip.adapters.slack import welcome
from serendip.adapters.slack.context import APOLOGY
from serendip.adapters.slack.listeners import admin
from serendip.adapters.slack.listeners import asks as asks_listener
from serendip.adapters.slack.listeners import profile as profile_listener
from serendip.adapters.slack.listeners import rounds as round_listeners
from serendip.adapters.slack.views import admin_blocks, blocks
from serendip.bootstrap import Container
from serendip.domain import commands as cmd
from serendip.domain.command_parser import parse_command
from serendip.domain.usage import HELP_TEXT, usage_for
from serendip.services import do_not_enrol, members, participation, profile, programs
from serendip.services.errors import ServiceError

log = logging.getLogger(__name__)

Reply = dict[str, Any]


@dataclass(frozen=True)
class Invocation:
    """Who typed `/coffee`, where, and the services to answer with."""

    services: Container
    team_id: str
    user_id: str
    channel_id: str
    respond: Respond

    def member(self, session: Any) -> Member:
        """The invoking member, fetched from Slack on first sight."""
        return members.ensure_member(session, self.services.gateway, self.team_id, self.user_id)


def register(app: App) -> None:
    """Attach the `/coffee` listener."""
    app.command("/coffee")(handle_coffee)


def handle_coffee(ack: Ack, body: dict[str, Any], respond: Respond, services: Container) -> None:
    """Answer one `/coffee` invocation; bad input and failures get a friendly ephemeral reply."""
    parsed = parse_command(body.get("text") or "")
    if isinstance(parsed, cmd.UsageError):
        ack(blocks.usage_error(parsed.message, parsed.usage))
        return
    inv = Invocation(
        services, body.get("team_id", ""), body.get("user_id", ""), body.get("channel_id", ""), respond
    )
    # Every admin command passes the one permission guard first; admin.py runs those it implements.
    if isinstance(parsed, admin.ADMIN_COMMANDS) and admin.handle(ack, body, respond, services, parsed):
        return
    if isinstance(parsed, cmd.Profile):
        # views.open needs the trigger_id within 3 seconds: open first, then ack.
        ack(profile_listener.profile_command(services, body))
        return
    if isinstance(parsed, cmd.AdminSetup):
        ack(blocks.reply(":hourglass_flowing_sand: Setting up this channel as a Serendip program…"))
        respond(_safely(inv, parsed, _admin_setup))
        return
    if isinstance(parsed, cmd.AdminRun):
        refused = round_listeners.run_refusal(services, team_id=inv.team_id, channel_id=inv.channel_id)
        if refused is not None:  # a paused program: say why before anything starts
            ack(refused)
            return
        ack(blocks.reply(":hourglass_flowing_sand: Matching this round…"))
        respond(_safely(inv, parsed, _admin_run))
        return
    ack(_safely(inv, parsed, HANDLERS[type(parsed)]))


def _safely(inv: Invocation, command: Any, handler: Callable[[Invocation, Any], Reply]) -> Reply:
    try:
        return handler(inv, command)
    except ServiceError as exc:
        return blocks.reply(str(exc))
    except Exception as exc:
        log.error(
            "command.failed team=%s user=%s command=%s error=%s",
            inv.team_id,
            inv.user_id,
            type(command).__name__,
            type(exc).__name__,
            exc_info=exc,
        )
        return blocks.reply(APOLOGY)


def _status(inv: Invocation, _: cmd.Status) -> Reply:
    with inv.services.db.transaction() as session:
        member = inv.member(session)
        statuses = participation.status_of(session, member, utcnow())
        return blocks.status_message(statuses, member.tz, HELP_TEXT)


def _help(_: Invocation, command: cmd.Help) -> Reply:
    text = usage_for(command.topic) if command.topic else HELP_TEXT
    return blocks.message("Serendip help", [blocks.section(text)])


def _join(inv: Invocation, command: cmd.Join) -> Reply:
    with inv.services.db.transaction() as session:
        # Asking to join is the one thing that lifts forget-me's do-not-enrol marker.
        do_not_enrol.clear(session, inv.team_id, inv.user_id)
        member = inv.member(session)
        program = repo.find_program(session, inv.team_id, inv.channel_id)
        if program is None:
            enrolled = {p.id for p, e in repo.member_enrolments(session, member.id) if not e.opted_out}
            choices = [
                (p.channel_id, p.channel_name or p.channel_id)
                for p in repo.workspace_programs(session, inv.team_id)
                if p.id not in enrolled and not p.is_paused
            ]
            return blocks.join_choices(choices, inv.team_id)
        _enrolment, new = participation.enrol(session, program, member)
        if not new:
            return blocks.reply(f"You're already in <#{program.channel_id}>'s intros. :coffee:")
        when = (
            f" The next round is {blocks.local_time(program.next_run_at, member.tz)}."
            if program.next_run_at
            else ""
        )
        return blocks.reply(
            f":tada: You're in! Serendip will introduce you in <#{program.channel_id}>.{when}"
        )


def _leave(inv: Invocation, _: cmd.Leave) -> Reply:
    with inv.services.db.transaction() as session:
        targets = participation.target_enrolments(session, inv.member(session), inv.channel_id)
        for _program, enrolment in targets:
            participation.opt_out(enrolment)
        names = ", ".join(f"<#{p.channel_id}>" for p, _ in targets)
        return blocks.reply(
            f"You've left {names}. No more intros there. Come back any time with `/coffee join`."
        )


def _pause(inv: Invocation, command: cmd.Pause) -> Reply:
    with inv.services.db.transaction() as session:
        member = inv.member(session)
        targets = participation.target_enrolments(session, member, inv.channel_id)
        until = participation.pause_until(days=command.days, until=command.until, tz=member.tz, now=utcnow())
        participation.pause(targets, until)
        span = f"until {blocks.local_time(until, member.tz)}" if until else "until you type `/coffee resume`"
        return blocks.reply(f":pause_button: Paused {span} in {_channels(targets)}.")


def _resume(inv: Invocation, _: cmd.Resume) -> Reply:
    with inv.services.db.transaction() as session:
        targets = participation.target_enrolments(session, inv.member(session), inv.channel_id)
        participation.resume(targets)
        return blocks.reply(f":arrow_forward: Welcome back! You're active again in {_channels(targets)}.")


def _skip(inv: Invocation, _: cmd.Skip) -> Reply:
    with inv.services.db.transaction() as session:
        targets = participation.target_enrolments(session, inv.member(session), inv.channel_id)
        participation.skip_next(targets)
        return blocks.reply(
            f"OK, you'll sit out the next round in {_channels(targets)} and be back after that."
        )


def _channels(targets: list[tuple[Any, Any]]) -> str:
    return ", ".join(f"<#{p.channel_id}>" for p, _ in targets)


def _team(inv: Invocation, command: cmd.Team) -> Reply:
    with inv.services.db.transaction() as session:
        member = inv.member(session)
        # The workspace's first-seen spelling: "sales" joins the team already shown as "Sales".
        shown = profile.set_team(session, member, command.name) or command.name
        return blocks.reply(f"Your department is now *{blocks.escape(shown)}*.")


def _tags(inv: Invocation, command: cmd.Expertise | cmd.Interests) -> Reply:
    kind = "expertise" if isinstance(command, cmd.Expertise) else "interest"
    with inv.services.db.transaction() as session:
        change = profile.change_tags(
            session, inv.member(session), kind=kind, action=command.action, tags=command.tags
        )
    verb = "Added" if command.action == "add" else "Removed"
    parts = []
    if change.changed:
        parts.append(f"{verb} {_tag_list(change.changed)}.")
    if change.unchanged:
        state = "already there" if command.action == "add" else "not in your list"
        parts.append(f"{_tag_list(change.unchanged)}: {state}.")
    label = "expertise" if kind == "expertise" else "interests"
    parts.append(f"Your {label}: {_tag_list(change.now) if change.now else '_none yet_'}")
    return blocks.reply(" ".join(parts))


def _tag_list(tags: list[str]) -> str:
    return ", ".join(f"`{blocks.escape(t)}`" for t in tags)


def _asks(inv: Invocation, command: cmd.Asks) -> Reply:
    with inv.services.db.transaction() as session:
        profile.set_may_be_asked(inv.member(session), command.enabled)
    if command.enabled:
        return blocks.reply("People from other teams may now ask you as an expert on your expertise tags.")
    return blocks.reply(
        "OK, nobody will be pointed to you as an expert. Turn it back on with `/coffee asks on`."
    )


def _history(inv: Invocation, _: cmd.History) -> Reply:
    with inv.services.db.transaction() as session:
        member = inv.member(session)
        return blocks.history_message(repo.member_intro_history(session, member.id), member.tz)


def _forget_me(_: Invocation, __: cmd.ForgetMe) -> Reply:
    return blocks.forget_me_confirm()


def _admin_setup(inv: Invocation, _: cmd.AdminSetup) -> Reply:
    result = programs.setup_program(
        inv.services.db,
        inv.services.gateway,
        team_id=inv.team_id,
        channel_id=inv.channel_id,
        actor_id=inv.user_id,
    )
    welcome.welcome_members(
        inv.services, team_id=inv.team_id, channel_id=inv.channel_id, user_ids=result.enrolled
    )
    return admin_blocks.setup_reply(result)


HANDLERS: dict[type, Callable[[Invocation, Any], Reply]] = {
    cmd.Status: _status,
    cmd.Help: _help,
    cmd.Join: _join,
    cmd.Leave: _leave,
    cmd.Pause: _pause,
    cmd.Resume: _resume,
    cmd.Skip: _skip,
    cmd.Team: _team,
    cmd.Expertise: _tags,
    cmd.Interests: _tags,
    cmd.Ask: lambda inv, command: asks_listener.ask_reply(
        inv.services, team_id=inv.team_id, user_id=inv.user_id, topic=command.topic
    ),
    cmd.Asks: _asks,
    cmd.History: _history,
    cmd.ForgetMe: _forget_me,
    cmd.AdminPreview: lambda inv, command: round_listeners.admin_preview(
        inv.services, team_id=inv.team_id, channel_id=inv.channel_id, names=command.names
    ),
}


def _admin_run(inv: Invocation, _: cmd.AdminRun) -> Reply:
    return round_listeners.admin_run(
        inv.services, team_id=inv.team_id, channel_id=inv.channel_id, user_id=inv.user_id
    )
