"""Leftover: the program-health panels of the App Home (`/coffee admin` now lives in `coffee/`).

Only `listeners/home.py` still imports this; the home service takes `home_panels` over, then this
module goes.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from serendip.adapters.db.models import Member
from serendip.adapters.slack.views import admin_blocks
from serendip.services import analytics, permissions

log = logging.getLogger(__name__)


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
