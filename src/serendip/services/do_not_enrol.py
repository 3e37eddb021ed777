"""Do-not-enrol markers: what forget-me leaves behind, so automatic paths never bring a person back.

A marker is HMAC-SHA256 of the Slack id under a random key stored once in `app_secrets`; it holds
nothing else. Only an explicit `/coffee join` clears it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from serendip.adapters.db.models import AppSecret, DoNotEnrol
from serendip.adapters.db.types import affected_rows

KEY_NAME = "do_not_enrol_key"


def _key(session: Session, *, create: bool) -> bytes | None:
    """The marker key; created (race-safely) only when a marker is written."""
    value = session.scalar(select(AppSecret.value).where(AppSecret.name == KEY_NAME))
    if value is None and create:
        try:
            with session.begin_nested():
                session.add(AppSecret(name=KEY_NAME, value=secrets.token_hex(32)))
        except IntegrityError:
            pass  # another process created it first: use theirs, or every marker would be unreadable
        value = session.scalar(select(AppSecret.value).where(AppSecret.name == KEY_NAME))
    return bytes.fromhex(value) if value is not None else None


def _hash(key: bytes, slack_id: str) -> str:
    return hmac.new(key, slack_id.encode(), hashlib.sha256).hexdigest()


def mark(session: Session, workspace_id: str, slack_id: str) -> None:
    """Remember that this person asked to be forgotten (idempotent)."""
    key = _key(session, create=True)
    assert key is not None
    id_hash = _hash(key, slack_id)
    if session.get(DoNotEnrol, (workspace_id, id_hash)) is None:
        session.add(DoNotEnrol(workspace_id=workspace_id, id_hash=id_hash))
        session.flush()


def clear(session: Session, workspace_id: str, slack_id: str) -> bool:
    """Drop the marker (an explicit `/coffee join`); True when there was one."""
    key = _key(session, create=False)
    if key is None:
        return False
    result = session.execute(
        delete(DoNotEnrol).where(
            DoNotEnrol.workspace_id == workspace_id, DoNotEnrol.id_hash == _hash(key, slack_id)
        )
    )
    return bool(affected_rows(result))


def is_marked(session: Session, workspace_id: str, slack_id: str) -> bool:
    """Whether this person must not be enrolled or stored by any automatic path."""
    return bool(marked_among(session, workspace_id, [slack_id]))


def marked_among(session: Session, workspace_id: str, slack_ids: Iterable[str]) -> set[str]:
    """The ids among ``slack_ids`` that carry a do-not-enrol marker (one query per 500 ids)."""
    key = _key(session, create=False)
    if key is None:
        return set()  # no marker was ever written
    by_hash = {_hash(key, s): s for s in slack_ids}
    hashes = list(by_hash)
    found: set[str] = set()
    for start in range(0, len(hashes), 500):
        chunk = hashes[start : start + 500]
        rows = session.scalars(
            select(DoNotEnrol.id_hash).where(
                DoNotEnrol.workspace_id == workspace_id, DoNotEnrol.id_hash.in_(chunk)
            )
        )
        found.update(by_hash[h] for h in rows)
    return found
