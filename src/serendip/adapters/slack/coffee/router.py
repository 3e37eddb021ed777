"""`/coffee`: parse the text, then ONE table from parsed command to its handler.

Admin commands pass the one permission guard first. Every handler answers through
`request.answer` (the first answer acks within Slack's 3 seconds, later ones respond); a
`ServiceError` becomes its message as an ephemeral reply, anything else is logged and apologised for.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, Respond

from serendip.adapters.slack.coffee import admin, asks, member, privacy, profile, rounds
from serendip.adapters.slack.coffee.request import CoffeeRequest, Handler
from serendip.adapters.slack.context import APOLOGY, asker
from serendip.adapters.slack.views import blocks
from serendip.domain import commands as cmd
from serendip.domain.command_parser import parse_command
from serendip.services import program_admin
from serendip.services.deps import Deps
from serendip.services.errors import ServiceError

log = logging.getLogger(__name__)

COMMAND_FAILED = "command.failed"
ADMIN_FAILED = "admin.failed"


@dataclass(frozen=True)
class Route:
    """How one parsed command is answered."""

    handler: Handler
    # Admin commands run only for the program's admins (see program_admin.check_admin).
    admin_only: bool = False
    # The admin command's name, as in `/coffee admin <name>` (permission texts, logs).
    name: str = ""
    # The event a failure is logged under: admin commands other than setup, preview and run have
    # always logged `admin.failed command=<name>`; the rest `command.failed command=<type>`.
    failure_event: str = COMMAND_FAILED


def _admin(handler: Handler, name: str, failure_event: str = ADMIN_FAILED) -> Route:
    return Route(handler, admin_only=True, name=name, failure_event=failure_event)


ROUTES: dict[type, Route] = {
    cmd.Status: Route(member.status),
    cmd.Help: Route(member.help_),
    cmd.Join: Route(member.join),
    cmd.Leave: Route(member.leave),
    cmd.Pause: Route(member.pause),
    cmd.Resume: Route(member.resume),
    cmd.Skip: Route(member.skip),
    cmd.Profile: Route(profile.profile),
    cmd.Team: Route(member.team),
    cmd.Expertise: Route(member.tags),
    cmd.Interests: Route(member.tags),
    cmd.Ask: Route(asks.ask),
    cmd.Asks: Route(member.asks),
    cmd.History: Route(member.history),
    cmd.MyData: Route(privacy.my_data),
    cmd.ForgetMe: Route(member.forget_me),
    cmd.AdminSetup: _admin(admin.setup, "setup", COMMAND_FAILED),
    cmd.AdminConfig: _admin(admin.config, "config"),
    cmd.AdminPause: _admin(admin.pause_or_resume, "pause"),
    cmd.AdminResume: _admin(admin.pause_or_resume, "resume"),
    cmd.AdminPreview: _admin(rounds.preview, "preview", COMMAND_FAILED),
    cmd.AdminRun: _admin(rounds.run, "run", COMMAND_FAILED),
    cmd.AdminStats: _admin(admin.stats, "stats"),
    cmd.AdminExport: _admin(admin.export, "export"),
    cmd.AdminSet: _admin(admin.set_, "set"),
    cmd.AdminAdmins: _admin(admin.admins, "admins"),
}


def register(app: App) -> None:
    """Attach the `/coffee` listener."""
    app.command("/coffee")(handle_coffee)


def handle_coffee(ack: Ack, body: dict[str, Any], respond: Respond, deps: Deps) -> None:
    """Answer one `/coffee` invocation; bad input and failures get a friendly ephemeral reply."""
    parsed = parse_command(body.get("text") or "")
    if isinstance(parsed, cmd.UsageError):
        ack(blocks.usage_error(parsed.message, parsed.usage))
        return
    route = ROUTES[type(parsed)]
    request = CoffeeRequest(deps, asker(body), ack, respond)
    if route.admin_only and not _allowed(request, route):
        return
    try:
        route.handler(request, parsed)
    except ServiceError as exc:
        request.answer(blocks.reply(str(exc)))
    except Exception as exc:
        label = route.name if route.failure_event == ADMIN_FAILED else type(parsed).__name__
        _failed(request, route.failure_event, label, exc)


def _allowed(request: CoffeeRequest, route: Route) -> bool:
    """The one permission guard of admin commands; a refusal is the answer."""
    who = request.who
    try:
        program_admin.check_admin(
            request.deps, team_id=who.team_id, channel_id=who.channel_id, user_id=who.user_id, name=route.name
        )
    except ServiceError as exc:
        request.answer(blocks.reply(str(exc)))
        return False
    except Exception as exc:
        _failed(request, ADMIN_FAILED, route.name, exc)
        return False
    return True


def _failed(request: CoffeeRequest, event: str, command: str, exc: Exception) -> None:
    team_id, user_id, error = request.who.team_id, request.who.user_id, type(exc).__name__
    if event == ADMIN_FAILED:
        log.error(
            "admin.failed team=%s user=%s command=%s error=%s", team_id, user_id, command, error, exc_info=exc
        )
    else:
        log.error(
            "command.failed team=%s user=%s command=%s error=%s",
            team_id,
            user_id,
            command,
            error,
            exc_info=exc,
        )
    request.answer(blocks.reply(APOLOGY))
