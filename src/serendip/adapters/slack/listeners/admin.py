"""`/coffee admin ...`: the one permission guard for every admin command, and the commands run here."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, Respond

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.models import Member, Program
from serendip.adapters.db.types import utcnow
from serendip.adapters.slack.context import APOLOGY
from serendip.adapters.slack.views import admin_blocks, blocks, config_modal
from serendip.bootstrap import Container
from serendip.domain import commands as cmd
from serendip.domain.plural import plural
from serendip.services import administration, analytics, export, permissions
from serendip.services.administration import Outcome
from serendip.services.errors import ServiceError
from serendip.services.slack_errors import SlackCallFailed

log = logging.getLogger(__name__)

NAMES: dict[type, str] = {
    cmd.AdminSetup: "setup",
    cmd.AdminConfig: "config",
    cmd.AdminPause: "pause",
    cmd.AdminResume: "resume",
    cmd.AdminPreview: "preview",
    cmd.AdminRun: "run",
    cmd.AdminStats: "stats",
    cmd.AdminExport: "export",
    cmd.AdminSet: "set",
    cmd.AdminAdmins: "admins",
}
ADMIN_COMMANDS = tuple(NAMES)


@dataclass
class AdminRequest:
    """One admin command: who, where, and how to answer (the first answer acks, later ones respond)."""

    services: Container
    team_id: str
    channel_id: str
    user_id: str
    trigger_id: str
    ack: Ack
    respond: Respond
    acked: bool = field(default=False)

    def answer(self, payload: dict[str, Any]) -> None:
        """Ack with the payload the first time, then post it to the response_url."""
        if self.acked:
            self.respond(payload)
        else:
            self.acked = True
            self.ack(payload)


def register(app: App) -> None:
    """Attach the settings modal's submission listener."""
    app.view(config_modal.CALLBACK_ID)(on_config_submit)


def handle(ack: Ack, body: dict[str, Any], respond: Respond, services: Container, command: Any) -> bool:
    """Guard an admin command and run it if it is implemented here; True when it was answered."""
    request = AdminRequest(
        services,
        body.get("team_id", ""),
        body.get("channel_id", ""),
        body.get("user_id", ""),
        body.get("trigger_id", ""),
        ack,
        respond,
    )
    name = NAMES[type(command)]
    try:
        if not _allowed(request, command, name):
            return True
        handler = HANDLERS.get(type(command))
        if handler is None:
            return False
        handler(request, command)
    except ServiceError as exc:
        request.answer(blocks.reply(str(exc)))
    except Exception as exc:
        log.error(
            "admin.failed team=%s user=%s command=%s error=%s",
            request.team_id,
            request.user_id,
            name,
            type(exc).__name__,
            exc_info=exc,
        )
        request.answer(blocks.reply(APOLOGY))
    return True


def _allowed(request: AdminRequest, command: Any, name: str) -> bool:
    """Run the permission check; setup of a channel that is not a program yet needs no permission."""
    with request.services.db.transaction() as session:
        if (
            isinstance(command, cmd.AdminSetup)
            and repo.find_program(session, request.team_id, request.channel_id) is None
        ):
            return True
        try:
            permissions.require_admin(
                session,
                request.services.gateway,
                team_id=request.team_id,
                channel_id=request.channel_id,
                user_id=request.user_id,
                name=name,
            )
        except ServiceError as exc:
            request.answer(blocks.reply(str(exc)))
            return False
    return True


def _program(session: Any, request: AdminRequest) -> Program:
    program = repo.find_program(session, request.team_id, request.channel_id)
    if program is None:  # deleted between the guard and now
        raise ServiceError(permissions.OUTSIDE_PROGRAM.format(name="…"))
    return program


def _people(services: Container, team_id: str, actor: str, outcome: Outcome) -> tuple[str, dict[str, str]]:
    """The actor's time zone, and display names of everyone the outcome mentions (for notification text)."""
    wanted = [actor, *(m.group(1) for m in admin_blocks.MENTION.finditer(" ".join(outcome.changes)))]
    with services.db.transaction() as session:
        found = repo.members_by_slack_ids(session, team_id, wanted)
        names = {sid: m.real_name or m.name for sid, m in found.items() if m.real_name or m.name}
        tz = found[actor].tz if actor in found else outcome.timezone
    return tz, names


def _finish(services: Container, actor: str, outcome: Outcome, request: AdminRequest | None) -> None:
    """Answer the admin (if asked in a command) in their zone, then announce a real change in the channel."""
    team_id = request.team_id if request is not None else _team_of(services, outcome.program_id)
    tz, names = _people(services, team_id, actor, outcome)
    if request is not None:
        request.answer(admin_blocks.change_reply(outcome, tz))
    note = admin_blocks.announcement(actor, outcome, names)
    if note is None:
        return
    try:
        services.gateway.post(outcome.channel_id, note[0], note[1])
    except SlackCallFailed as exc:
        log.warning("admin.announce_failed program_id=%s error=%s", outcome.program_id, exc.reason)


def _team_of(services: Container, program_id: int) -> str:
    with services.db.transaction() as session:
        program = session.get(Program, program_id)
        return program.workspace_id if program is not None else ""


def _set(request: AdminRequest, command: cmd.AdminSet) -> None:
    with request.services.db.transaction() as session:
        outcome = administration.change_settings(
            session,
            _program(session, request),
            actor=request.user_id,
            values={command.setting: command.value},
            now=utcnow(),
        )
    _finish(request.services, request.user_id, outcome, request)


def _pause_or_resume(request: AdminRequest, command: cmd.AdminPause | cmd.AdminResume) -> None:
    with request.services.db.transaction() as session:
        outcome = administration.set_paused(
            session,
            _program(session, request),
            actor=request.user_id,
            paused=isinstance(command, cmd.AdminPause),
            now=utcnow(),
        )
    _finish(request.services, request.user_id, outcome, request)


def _admins(request: AdminRequest, command: cmd.AdminAdmins) -> None:
    try:
        with request.services.db.transaction() as session:
            outcome = administration.change_admins(
                session,
                request.services.gateway,
                _program(session, request),
                actor=request.user_id,
                action=command.action,
                user_ids=command.user_ids,
            )
    except SlackCallFailed as exc:
        if exc.reason not in ("user_not_found", "user_not_visible"):
            raise
        raise ServiceError(
            "I can't find one of those people in this workspace: @-mention them from the "
            "list Slack offers. Nothing was changed."
        ) from None
    _finish(request.services, request.user_id, outcome, request)


def _config(request: AdminRequest, _: cmd.AdminConfig) -> None:
    with request.services.db.transaction() as session:
        settings = administration.current_settings(_program(session, request))
    request.ack()  # views.open must follow the trigger within 3 seconds; the modal is the answer
    request.acked = True
    request.services.gateway.open_modal(
        request.trigger_id, config_modal.config_view(settings, request.channel_id)
    )
    log.info("admin.config_opened team=%s user=%s", request.team_id, request.user_id)


def _upload(request: AdminRequest, *, content: bytes, filename: str, title: str, comment: str) -> str | None:
    """Upload a file to the admin's DM; None when done, else Slack's error code."""
    try:
        request.services.gateway.upload_to_user(
            request.user_id, content=content, filename=filename, title=title, comment=comment
        )
    except SlackCallFailed as exc:
        error = exc.reason
        log.warning(
            "admin.upload_failed team=%s user=%s file=%s error=%s",
            request.team_id,
            request.user_id,
            filename,
            error,
        )
        return error
    return None


def _stats(request: AdminRequest, _: cmd.AdminStats) -> None:
    from serendip.adapters.slack.views import charts  # matplotlib loads only when a chart is drawn

    request.answer(blocks.reply(":bar_chart: Crunching the numbers…"))
    with request.services.db.transaction() as session:
        program = _program(session, request)
        stats = analytics.program_stats(session, program, utcnow())
        name = program.channel_name or program.channel_id
    png = charts.render_png(stats, title=f"Serendip network in #{name}")
    error = _upload(
        request,
        content=png,
        filename=f"serendip-{name}-stats.png",
        title=f"Serendip network in #{name}",
        comment=f"Ties between departments and cross-team ties over rounds in <#{stats.channel_id}>.",
    )
    note = (
        ":frame_with_picture: The chart (department heat-map and cross-team ties over rounds) is in "
        "your DM with Serendip."
        if error is None
        else f":warning: I couldn't send the chart to your DM (Slack said `{error}`); the figures are above."
    )
    request.answer(admin_blocks.stats_message(stats, note))
    log.info(
        "admin.stats program_id=%s rounds=%d chart_sent=%s", stats.program_id, stats.rounds, error is None
    )


def _export(request: AdminRequest, _: cmd.AdminExport) -> None:
    request.answer(blocks.reply(":outbox_tray: Preparing the export…"))
    with request.services.db.transaction() as session:
        program = _program(session, request)
        text, rows = export.export_csv(session, program)
        name, program_id = program.channel_name or program.channel_id, program.id
    error = _upload(
        request,
        content=text.encode(),
        filename=f"serendip-{name}-{utcnow():%Y-%m-%d}.csv",
        title=f"Serendip intros in #{name}",
        comment=f"Every delivered intro in <#{request.channel_id}>: round date, member, department, "
        "intro and answer. No private notes.",
    )
    request.answer(
        blocks.reply(
            f":white_check_mark: Sent a CSV with {plural(rows, 'row')} to your DM with Serendip."
            if error is None
            else f":warning: I couldn't send the export to your DM (Slack said `{error}`). Please try again."
        )
    )
    log.info("admin.export program_id=%s rows=%d sent=%s", program_id, rows, error is None)


def on_config_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Container) -> None:
    """Validate the settings modal; show field errors, or apply, audit and announce the changes."""
    user_id, team_id = body["user"]["id"], body["user"].get("team_id") or body["team"]["id"]
    channel_id = config_modal.channel_of(view)
    with services.db.transaction() as session:
        try:
            program = permissions.require_admin(
                session,
                services.gateway,
                team_id=team_id,
                channel_id=channel_id,
                user_id=user_id,
                name="config",
            )
        except ServiceError as exc:
            ack(response_action="update", view=_refused_view(str(exc)))
            return
        values, errors = config_modal.read_config(view["state"]["values"], program.welcome_text)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        outcome = administration.change_settings(session, program, actor=user_id, values=values, now=utcnow())
    ack()
    _finish(services, user_id, outcome, None)
    if outcome.changes:
        tz, _ = _people(services, team_id, user_id, outcome)
        try:
            services.gateway.post_to_user(
                user_id, "Settings saved", admin_blocks.change_reply(outcome, tz)["blocks"]
            )
        except SlackCallFailed as exc:
            log.warning("admin.config_reply_failed user=%s error=%s", user_id, exc.reason)


def home_panels(session: Any, member: Member, now: datetime, *, limit: int = 3) -> list[dict[str, Any]]:
    """The program-health panels for the App Home of someone who administers programs (else none)."""
    panels: list[dict[str, Any]] = []
    try:
        for program in permissions.administered_programs(session, member)[:limit]:
            panels += [
                {"type": "divider"},
                *admin_blocks.admin_health_blocks(analytics.program_stats(session, program, now)),
            ]
    except Exception as exc:  # the member's own Home must still publish
        log.error(
            "admin.home_panel_failed member_id=%s error=%s", member.id, type(exc).__name__, exc_info=exc
        )
        return []
    return panels


def _refused_view(text: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Program settings"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [blocks.section(text)],
    }


HANDLERS: dict[type, Callable[[AdminRequest, Any], None]] = {
    cmd.AdminSet: _set,
    cmd.AdminPause: _pause_or_resume,
    cmd.AdminResume: _pause_or_resume,
    cmd.AdminAdmins: _admins,
    cmd.AdminConfig: _config,
    cmd.AdminStats: _stats,
    cmd.AdminExport: _export,
}
