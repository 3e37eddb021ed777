"""forget-me: erase a member from every table, in the caller's one transaction.

Their own rows go; others' rows that point at them lose the pointer; free text and JSON that
name them (audit details, round notes, welcome texts, ask topics) say "deleted user" instead; text
they wrote themselves in the audit (a welcome message) is dropped. Only a keyed hash of the id
stays, as the do-not-enrol marker. `tests/security/test_forget_me_erasure.py` reflects the whole
schema afterwards, so a new table that stores a person must be handled here.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from serendip.adapters.db import erasure_store as store
from serendip.adapters.db import repositories as repo
from serendip.adapters.db.models import AuditEntry, Member
from serendip.domain.commands import AdminSetting
from serendip.domain.erasure import DELETED_USER, Identity, mentions, scrub
from serendip.services import do_not_enrol

log = logging.getLogger(__name__)

# Audit rows of settings whose values are free text a person wrote.
FREE_TEXT_SETTINGS = frozenset({AdminSetting.WELCOME.value})
REMOVED = "(removed: written by a deleted user)"


def forget(session: Session, member: Member) -> None:
    """Erase everything stored about the member (audit rows keep the action as 'deleted user')."""
    workspace_id, slack_id = member.workspace_id, member.slack_id
    identity = Identity(slack_id, (member.real_name, member.name), member.email)
    store.delete_own_rows(session, member)
    store.drop_references(session, workspace_id, slack_id)
    _scrub_audit(store.audit_entries(session, workspace_id), identity)
    for round_ in store.rounds_with_notes(session, workspace_id):
        if round_.quality is not None and mentions(round_.quality, identity):
            round_.quality = _without_notes(round_.quality, identity)
    for program in store.programs_with_text(session, workspace_id):
        program.welcome_text = scrub(program.welcome_text, identity)
    for ask in store.other_asks(session, workspace_id):
        ask.topic = scrub(ask.topic, identity)
    store.delete_member(session, member)
    # Only a keyed hash stays, so the nightly sync and other automatic paths don't bring them back.
    do_not_enrol.mark(session, workspace_id, slack_id)
    repo.add_audit(
        session, workspace_id=workspace_id, program_id=None, actor=DELETED_USER, action="member.forget"
    )
    log.info("member.forgotten workspace=%s", workspace_id)


def _scrub_audit(entries: Sequence[AuditEntry], identity: Identity) -> None:
    """The actor becomes "deleted user"; their free text goes, wherever it was carried over."""
    written = {
        str(entry.detail["new"])
        for entry in entries
        if entry.actor == identity.slack_id
        and entry.detail
        and _free_text(entry.detail)
        and entry.detail.get("new")
    }
    for entry in entries:
        if entry.actor == identity.slack_id:
            entry.actor = DELETED_USER
        if entry.detail is None:
            continue
        detail = dict(entry.detail)
        if _free_text(detail):
            # Their text may also be the "old" value of the next person's change.
            for key in ("old", "new"):
                if detail.get(key) is not None and str(detail[key]) in written:
                    detail[key] = REMOVED
        detail = scrub(detail, identity)
        if detail != entry.detail:
            entry.detail = detail


def _free_text(detail: dict[str, Any] | None) -> bool:
    return detail is not None and str(detail.get("setting")) in FREE_TEXT_SETTINGS


def _without_notes(quality: dict[str, Any], identity: Identity) -> dict[str, Any]:
    """A round's notes without the person: no sat-out entry or lone note for them (nobody to tell)."""
    notes = dict(quality)
    if notes.get("lone") == identity.slack_id:
        notes["lone"] = None
    sat_out = notes.get("sat_out")
    if isinstance(sat_out, dict):
        notes["sat_out"] = {k: v for k, v in sat_out.items() if k != identity.slack_id}
    cleaned: dict[str, Any] = scrub(notes, identity)
    return cleaned
