"""Moved to `serendip.services.welcome`; kept only for `listeners/commands.py` until the /coffee router lands."""

from __future__ import annotations

from serendip.services.welcome import welcome_members

__all__ = ["welcome_members"]
