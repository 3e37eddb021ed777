"""`/coffee admin ...` handlers (the router has checked permission): settings, pause, admins, reports, setup."""

from __future__ import annotations

import logging

from serendip.adapters.slack import modals
from serendip.adapters.slack.announce import announce_change
from serendip.adapters.slack.coffee.request import CoffeeRequest
from serendip.adapters.slack.views import admin_blocks, blocks, config_modal, report_blocks
from serendip.domain import commands as cmd
from serendip.services import program_admin, program_reports, welcome
from serendip.services.program_admin import AdminChange

log = logging.getLogger(__name__)

CONFIG_OPEN_FAILED = (
    ":sweat_smile: I couldn't open the settings just now. Please try `/coffee admin config` again."
)
CONFIG_OPENED = ":gear: The program's settings are open."
SETTING_UP = ":hourglass_flowing_sand: Setting up this channel as a Serendip program…"


def _changed(request: CoffeeRequest, change: AdminChange) -> None:
    """Answer the admin in their zone, then announce a real change in the channel."""
    request.answer(admin_blocks.change_reply(change.outcome, change.actor_tz))
    announce_change(request.deps.gateway, request.who.user_id, change)


def set_(request: CoffeeRequest, command: cmd.AdminSet) -> None:
    """`/coffee admin set <setting> <value>`."""
    who = request.who
    change = program_admin.change_setting(
        request.deps,
        team_id=who.team_id,
        channel_id=who.channel_id,
        user_id=who.user_id,
        setting=command.setting,
        value=command.value,
    )
    _changed(request, change)


def pause_or_resume(request: CoffeeRequest, command: cmd.AdminPause | cmd.AdminResume) -> None:
    """`/coffee admin pause|resume`."""
    who = request.who
    change = program_admin.set_paused(
        request.deps,
        team_id=who.team_id,
        channel_id=who.channel_id,
        user_id=who.user_id,
        paused=isinstance(command, cmd.AdminPause),
    )
    _changed(request, change)


def admins(request: CoffeeRequest, command: cmd.AdminAdmins) -> None:
    """`/coffee admin admins add|remove @user`."""
    who = request.who
    change = program_admin.change_admins(
        request.deps,
        team_id=who.team_id,
        channel_id=who.channel_id,
        user_id=who.user_id,
        action=command.action,
        user_ids=command.user_ids,
    )
    _changed(request, change)


def config(request: CoffeeRequest, _: cmd.AdminConfig) -> None:
    """`/coffee admin config`: the settings modal is the answer (loading at once, then filled)."""
    who, deps = request.who, request.deps
    # views.open must follow the trigger within 3 seconds: open before any database work.
    view_id = modals.open_loading(deps.gateway, who, config_modal.TITLE, event="admin.config")
    if view_id is None:
        request.answer(blocks.reply(CONFIG_OPEN_FAILED))
        return
    request.ack_empty(blocks.reply(CONFIG_OPENED))
    modals.fill(
        deps.gateway,
        who,
        view_id,
        config_modal.TITLE,
        lambda: config_modal.config_view(
            program_admin.current_settings(deps, team_id=who.team_id, channel_id=who.channel_id),
            who.channel_id,
        ),
        event="admin.config",
    )


def stats(request: CoffeeRequest, _: cmd.AdminStats) -> None:
    """`/coffee admin stats`: the figures here, the chart in the admin's DM."""
    who = request.who
    request.interim(blocks.reply(report_blocks.CRUNCHING))
    report = program_reports.program_stats(request.deps, team_id=who.team_id, channel_id=who.channel_id)
    error = request.send_file(report_blocks.stats_chart(report))
    request.answer(admin_blocks.stats_message(report.stats, report_blocks.chart_note(error)))
    log.info(
        "admin.stats program_id=%s rounds=%d chart_sent=%s",
        report.stats.program_id,
        report.stats.rounds,
        error is None,
    )


def export(request: CoffeeRequest, _: cmd.AdminExport) -> None:
    """`/coffee admin export`: the program's delivered intros as a CSV in the admin's DM."""
    who = request.who
    request.interim(blocks.reply(report_blocks.PREPARING))
    result = program_reports.export_intros(request.deps, team_id=who.team_id, channel_id=who.channel_id)
    error = request.send_file(report_blocks.export_file(result, who.channel_id))
    request.answer(report_blocks.export_reply(result.rows, error))
    log.info("admin.export program_id=%s rows=%d sent=%s", result.program_id, result.rows, error is None)


def setup(request: CoffeeRequest, _: cmd.AdminSetup) -> None:
    """`/coffee admin setup`: make this channel a program, enrol and welcome its people."""
    who = request.who
    request.interim(blocks.reply(SETTING_UP))
    result = program_admin.setup(
        request.deps, team_id=who.team_id, channel_id=who.channel_id, user_id=who.user_id
    )
    welcome.welcome_members(
        request.deps, team_id=who.team_id, channel_id=who.channel_id, user_ids=result.enrolled
    )
    request.answer(admin_blocks.setup_reply(result))
