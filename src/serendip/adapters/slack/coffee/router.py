"""`/coffee`: parse the text, then ONE table from parsed command to its handler.

Admin commands pass the one permission guard first. Every handler answers through
`request.answer` (the first answer acks within Slack's 3 seconds, later ones respond); a
`ServiceError` becomes its message as an ephemeral reply, anything else is logged and apologised for.
A command still working at the ack deadline (a locked or slow database) is acked with a short
"working on it" and answered through the response_url when it is done.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, Respond

from serendip.adapters.slack.coffee import admin, asks, circles, member, privacy, profile, rounds
from serendip.adapters.slack.coffee.request import CoffeeRequest, Handler
from serendip.adapters.slack.context import APOLOGY, asker
from serendip.adapters.slack.views import blocks
from serendip.domain import commands as cmd
from serendip.domain.command_parser import parse_command
from serendip.observability import metrics
from serendip.services import program_admin
from serendip.services.deps import Deps
from serendip.services.errors import ServiceError
from serendip.services.slack_errors import SlackCallFailed

log = logging.getLogger(__name__)

COMMAND_FAILED = "command.failed"
ADMIN_FAILED = "admin.failed"

# Slack shows the user an error when a command is not acked within 3 seconds; keep a margin for
# the network and the HTTP layer in front of the router.
ACK_DEADLINE_SECONDS = 2.0
WORKING = ":hourglass_flowing_sand: Working on it… I'll answer here in a moment."
# Verbs own one transaction, so a failure rolled everything back and this is true.
NOT_SAVED = ":warning: I couldn't save that just now, nothing was changed — please try again."


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
    # The command changes stored state in one transaction: a failure says nothing was saved.
    saves: bool = False


def _admin(handler: Handler, name: str, failure_event: str = ADMIN_FAILED, *, saves: bool = False) -> Route:
    return Route(handler, admin_only=True, name=name, failure_event=failure_event, saves=saves)


ROUTES: dict[type, Route] = {
    cmd.Status: Route(member.status),
    cmd.Help: Route(member.help_),
    cmd.Join: Route(member.join, saves=True),
    cmd.Leave: Route(member.leave, saves=True),
    cmd.LeaveCircle: Route(circles.leave_circle, saves=True),
    cmd.Pause: Route(member.pause, saves=True),
    cmd.Resume: Route(member.resume, saves=True),
    cmd.Skip: Route(member.skip, saves=True),
    cmd.Profile: Route(profile.profile),
    cmd.Team: Route(member.team, saves=True),
    cmd.Expertise: Route(member.tags, saves=True),
    cmd.Interests: Route(member.tags, saves=True),
    cmd.Ask: Route(asks.ask),
    cmd.Asks: Route(member.asks, saves=True),
    cmd.History: Route(member.history),
    cmd.MyData: Route(privacy.my_data),
    cmd.ForgetMe: Route(member.forget_me),
    cmd.AdminSetup: _admin(admin.setup, "setup", COMMAND_FAILED),
    cmd.AdminConfig: _admin(admin.config, "config"),
    cmd.AdminPause: _admin(admin.pause_or_resume, "pause", saves=True),
    cmd.AdminResume: _admin(admin.pause_or_resume, "resume", saves=True),
    cmd.AdminPreview: _admin(rounds.preview, "preview", COMMAND_FAILED),
    cmd.AdminRun: _admin(rounds.run, "run", COMMAND_FAILED),
    cmd.AdminStats: _admin(admin.stats, "stats"),
    cmd.AdminExport: _admin(admin.export, "export"),
    cmd.AdminSet: _admin(admin.set_, "set", saves=True),
    cmd.AdminAdmins: _admin(admin.admins, "admins", saves=True),
}


def register(app: App) -> None:
    """Attach the `/coffee` listener."""
    app.command("/coffee")(handle_coffee)


def handle_coffee(ack: Ack, body: dict[str, Any], respond: Respond, deps: Deps) -> None:
    """Answer one `/coffee` invocation; bad input and failures get a friendly ephemeral reply."""
    received_at = time.monotonic()
    parsed = parse_command(body.get("text") or "")
    if isinstance(parsed, cmd.UsageError):
        ack(blocks.usage_error(parsed.message, parsed.usage))
        metrics.command_acked(time.monotonic() - received_at)
        return
    route = ROUTES[type(parsed)]
    request = CoffeeRequest(deps, asker(body), ack, respond, received_at=received_at)
    label = route.name if route.failure_event == ADMIN_FAILED else type(parsed).__name__
    with request.deadline(ACK_DEADLINE_SECONDS, blocks.reply(WORKING), lambda: _acked_late(request, label)):
        _run(request, route, parsed, label)


def _run(request: CoffeeRequest, route: Route, parsed: object, label: str) -> None:
    """The guard, then the handler; every outcome is answered."""
    if route.admin_only and not _allowed(request, route):
        return
    try:
        route.handler(request, parsed)
    except ServiceError as exc:
        request.answer(blocks.reply(str(exc)))
    except Exception as exc:
        # A Slack refusal is Slack's trouble; anything else in a saving command (a locked or
        # failing database) rolled back, and the member should know nothing changed.
        not_saved = route.saves and not isinstance(exc, SlackCallFailed)
        _failed(request, route.failure_event, label, exc, NOT_SAVED if not_saved else APOLOGY)


def _acked_late(request: CoffeeRequest, command: str) -> None:
    log.warning(
        "command.acked_before_answer team=%s user=%s command=%s",
        request.who.team_id,
        request.who.user_id,
        command,
    )


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


def _failed(request: CoffeeRequest, event: str, command: str, exc: Exception, reply: str = APOLOGY) -> None:
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
    request.answer(blocks.reply(reply))
