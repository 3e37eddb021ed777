"""Serendip's local Slack: a Web API + Socket Mode emulator, a sandbox workspace, and a driver."""

from serendip.sandbox.emulator import SlackEmulator
from serendip.sandbox.generator import generate_workspace
from serendip.sandbox.workspace import Workspace

__all__ = ["SlackEmulator", "Workspace", "generate_workspace"]
