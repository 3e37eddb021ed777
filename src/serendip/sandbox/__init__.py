"""Serendip's local Slack: a Web API + Socket Mode emulator, a sandbox workspace, and a driver."""

from serendip.sandbox.driver import CommandResult, HttpResult, SlackDriver
from serendip.sandbox.emulator import SlackEmulator
from serendip.sandbox.generator import generate_workspace
from serendip.sandbox.serving import BackgroundServer
from serendip.sandbox.socket_mode import SocketAck
from serendip.sandbox.workspace import Workspace

__all__ = ["BackgroundServer", "CommandResult", "HttpResult", "SlackDriver", "SlackEmulator", "SocketAck", "Workspace",
           "generate_workspace"]
