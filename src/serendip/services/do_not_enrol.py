"""Do-not-enrol markers: what forget-me leaves behind, so automatic paths never bring a person back.

A marker is HMAC-SHA256 of the Slack id under a random key stored once in `app_secrets`; it holds
nothing else. Only an explicit `/coffee join` clears it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

from sqlalchemy.orm import Session

from serendip.adapters.db import repositories_privacy as privacy_repo

KEY_NAME = "do_not_enrol_key"


def _key(session: Session, *, create: bool) -> bytes | None:
    """The marker key; created (race-safely) only when a marker is written."""
    value = privacy_repo.app_secret(session, KEY_NAME)
    if value is None and create:
        value = privacy_repo.create_app_secret(session, KEY_NAME, secrets.token_hex(32))
    return bytes.fromhex(value) if value is not None else None


def _hash(key: bytes, slack_id: str) -> str:
    return hmac.new(key, slack_id.encode(), hashlib.sha256).hexdigest()


def mark(session: Session, workspace_id: str, slack_id: str) -> None:
    """Remember that this person asked to be forgotten (idempotent)."""
    key = _key(session, create=True)
    assert key is not None
    privacy_repo.add_marker(session, workspace_id, _hash(key, slack_id))


def clear(session: Session, workspace_id: str, slack_id: str) -> bool:
    """Drop the marker (an explicit `/coffee join`); True when there was one."""
    key = _key(session, create=False)
    if key is None:
        return False
    return privacy_repo.delete_marker(session, workspace_id, _hash(key, slack_id))


def is_marked(session: Session, workspace_id: str, slack_id: str) -> bool:
    """Whether this person must not be enrolled or stored by any automatic path."""
    return bool(marked_among(session, workspace_id, [slack_id]))


def marked_among(session: Session, workspace_id: str, slack_ids: Iterable[str]) -> set[str]:
    """The ids among ``slack_ids`` that carry a do-not-enrol marker (one query per 500 ids)."""
    key = _key(session, create=False)
    if key is None:
        return set()  # no marker was ever written
    by_hash = {_hash(key, s): s for s in slack_ids}
    return {by_hash[h] for h in privacy_repo.markers_among(session, workspace_id, list(by_hash))}
