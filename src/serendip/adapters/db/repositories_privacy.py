"""Do-not-enrol markers and the deployment's own secrets (the marker key)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from serendip.adapters.db.models import AppSecret, DoNotEnrol
from serendip.adapters.db.types import affected_rows

CHUNK = 500


def app_secret(session: Session, name: str) -> str | None:
    """A stored deployment secret, or None when it was never created."""
    return session.scalar(select(AppSecret.value).where(AppSecret.name == name))


def create_app_secret(session: Session, name: str, value: str) -> str:
    """Store a secret unless another process did first; the stored value either way."""
    try:
        with session.begin_nested():
            session.add(AppSecret(name=name, value=value))
    except IntegrityError:
        pass  # another process created it first: use theirs, or every marker would be unreadable
    stored = app_secret(session, name)
    assert stored is not None
    return stored


def add_marker(session: Session, workspace_id: str, id_hash: str) -> None:
    """Store a do-not-enrol marker (idempotent)."""
    if session.get(DoNotEnrol, (workspace_id, id_hash)) is None:
        session.add(DoNotEnrol(workspace_id=workspace_id, id_hash=id_hash))
        session.flush()


def delete_marker(session: Session, workspace_id: str, id_hash: str) -> bool:
    """Drop a marker; True when there was one."""
    result = session.execute(
        delete(DoNotEnrol).where(DoNotEnrol.workspace_id == workspace_id, DoNotEnrol.id_hash == id_hash)
    )
    return bool(affected_rows(result))


def markers_among(session: Session, workspace_id: str, id_hashes: Sequence[str]) -> set[str]:
    """The hashes among ``id_hashes`` that are stored markers (one query per 500)."""
    found: set[str] = set()
    for start in range(0, len(id_hashes), CHUNK):
        chunk = list(id_hashes[start : start + CHUNK])
        found.update(
            session.scalars(
                select(DoNotEnrol.id_hash).where(
                    DoNotEnrol.workspace_id == workspace_id, DoNotEnrol.id_hash.in_(chunk)
                )
            )
        )
    return found
