"""`/coffee ask <topic>`: experts from other teams on a topic, or the closest tags."""

from __future__ import annotations

from dataclasses import dataclass

from serendip.adapters.db.types import utcnow
from serendip.services import asks, members
from serendip.services.asks import SearchResult
from serendip.services.deps import Deps


@dataclass(frozen=True)
class ExpertSearch:
    """What the search found, and the asker's time zone (for "free again" times)."""

    result: SearchResult
    tz: str


def find_experts(deps: Deps, *, team_id: str, user_id: str, topic: str) -> ExpertSearch:
    """Up to three experts from other teams (five searches a day), or the closest existing tags."""
    with deps.db.transaction() as session:
        asker = members.ensure_member(session, deps.gateway, team_id, user_id)
        return ExpertSearch(asks.search(session, asker, topic, utcnow()), asker.tz)
