"""The first profile read of a newly seen member, in the background (never on the ack path).

Someone who joined the workspace after the last directory sync would otherwise have no Slack
department for up to a day. `members.record_user` notes each member it creates in the session;
after that transaction commits, this reader fetches the department field (one users.profile.get)
on its own thread, one member at a time, so `admin setup` of a 5,000-person channel answers at
once and the reads follow at Slack's pace.
"""

from __future__ import annotations

import logging
import queue
import threading

from sqlalchemy.orm import Session

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.engine import Database
from serendip.services import directory_sync, do_not_enrol
from serendip.services.members import NEW_MEMBERS
from serendip.services.ports import Directory

log = logging.getLogger(__name__)

_STOP = ("", "")


class FirstProfileReader:
    """A queue of (team, user) whose profile is read once, and the thread that reads them."""

    def __init__(self, db: Database, directory: Directory, *, label: str) -> None:
        self.db, self.directory, self.label = db, directory, label
        self._queue: queue.Queue[tuple[str, str]] = queue.Queue()
        self._pending: set[tuple[str, str]] = set()
        self._looked_up: set[str] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopped = False

    def attach(self) -> FirstProfileReader:
        """Read the members each committed transaction of ``db`` created."""
        self.db.on_commit(self._after_commit)
        return self

    def _after_commit(self, session: Session) -> None:
        for team_id, user_id in session.info.pop(NEW_MEMBERS, []):
            self.submit(team_id, user_id)

    def submit(self, team_id: str, user_id: str) -> None:
        """Queue one member's first read (once while pending); starts the thread on first use."""
        with self._lock:
            if self._stopped or (team_id, user_id) in self._pending:
                return
            self._pending.add((team_id, user_id))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="first-profile-read", daemon=True)
                self._thread.start()
        self._queue.put((team_id, user_id))

    def stop(self) -> None:
        """Stop after the read in progress; what is still queued is left to the nightly sync."""
        with self._lock:
            self._stopped = True
            thread = self._thread
        self._queue.put(_STOP)
        if thread is not None:
            thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item == _STOP or self._stopped:
                return
            try:
                self.read(*item)
            except Exception as exc:  # the nightly sync reads whoever was missed here
                log.warning("member.first_read_failed team=%s error=%s", item[0], type(exc).__name__)
            finally:
                with self._lock:
                    self._pending.discard(item)

    def read(self, team_id: str, user_id: str) -> bool:
        """Fetch and store one member's department unless already read; True when it changed."""
        with self.db.transaction() as session:
            member = repo.find_member(session, team_id, user_id)
            if (
                member is None  # forgotten meanwhile
                or member.department_synced_at is not None
                or member.is_bot
                or member.is_deleted
                or do_not_enrol.is_marked(session, team_id, user_id)
            ):
                return False
        field_id = self._field_id(team_id)
        if field_id is None:
            return False
        changed = directory_sync.refresh_department(
            self.db, self.directory, team_id=team_id, user_id=user_id, field_id=field_id
        )
        log.info("member.first_read team=%s department_changed=%s", team_id, changed)
        return changed

    def _field_id(self, team_id: str) -> str | None:
        """The department field's id: as the sync stored it, else looked up once per process."""
        with self.db.transaction() as session:
            stored = repo.get_or_create_workspace(session, team_id).department_field_id
        if stored or team_id in self._looked_up:
            return stored
        self._looked_up.add(team_id)  # no sync yet: one team.profile.get, not one per member
        return directory_sync.resolve_department_field(
            self.db, self.directory, team_id=team_id, label=self.label
        )
