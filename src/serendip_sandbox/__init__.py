"""Serendip's local Slack: a Web API + Socket Mode emulator, a sandbox workspace, and a driver.

    workspace = generate_workspace(people=40, departments=6, seed=0)
    with SlackEmulator(workspace) as slack:          # SLACK_API_URL=slack.api_url
        bot = ...                                    # the real bot, token=slack.bot_token
        driver = SlackDriver(bot_url, slack.signing_secret, slack)   # or SlackDriver.socket(slack)
        result = driver.slash_command(user_id, "join", channel_id=channel_id)
        result.wait_for_responses(1); slack.ephemerals(user_id); slack.messages(channel_id)

Fault injection (``inject``, ``rate_limit``, ``burst_429``) and the call log (``calls``, ``count``)
live on the emulator; state readers return copies and ``wait_until`` waits on a condition.

One emulator hosts one app installed many times:

    slack.add_workspace(generate_workspace(seed=1))  # its own bot_token, users and channels
    org = slack.add_workspace(generate_grid_org(seed=2))  # Enterprise Grid, installed org-wide
    driver.for_team(org.teams[1].id).slash_command(...)  # payloads from one Grid workspace
    slack.set_installer(team_id); GET slack.authorize_url?... -> 302 redirect_uri?code=&state=
    slack.uninstall(team_id) / driver.uninstall(); slack.advance_clock(43200)
    slack.calls_from(team_id); slack.foreign_calls()  # which install's token made each call
"""

from serendip_sandbox.driver import CommandResult, HttpResult, SlackDriver
from serendip_sandbox.emulator import SlackEmulator
from serendip_sandbox.emulator_state import StateReader
from serendip_sandbox.generator import generate_workspace
from serendip_sandbox.grid import generate_grid_org
from serendip_sandbox.models import Enterprise
from serendip_sandbox.serving import BackgroundServer
from serendip_sandbox.socket_mode import SocketAck
from serendip_sandbox.tokens import Grant
from serendip_sandbox.workspace import Workspace

__all__ = [
    "BackgroundServer",
    "CommandResult",
    "Enterprise",
    "Grant",
    "HttpResult",
    "SlackDriver",
    "SlackEmulator",
    "SocketAck",
    "StateReader",
    "Workspace",
    "generate_grid_org",
    "generate_workspace",
]
