"""Two workers claiming delivery at the same moment: exactly one gets the round, on both engines."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from serendip.adapters.db import lifecycle_store as store
from serendip.adapters.db.engine import Database
from serendip.adapters.db.types import utcnow
from serendip.services.lifecycle import plan
from serendip_sandbox import SlackEmulator, generate_workspace
from tests.support.rounds import set_up_program


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator(generate_workspace(12, 3, seed=7)) as emulator:
        yield emulator


def test_a_worker_claiming_while_another_holds_an_uncommitted_claim_does_not_take_the_same_round(
    database: Database, database_url: str, slack: SlackEmulator
) -> None:
    program_id = set_up_program(database, slack)
    planned = plan.plan_round(database, program_id=program_id, scheduled_for=utcnow())
    assert planned is not None
    other = Database(database_url)  # another replica: its own engine and connections
    until = utcnow() + timedelta(minutes=1)
    second: list[object] = []
    with database.transaction() as session:
        first = store.claim_round(session, owner="worker-a", now=utcnow(), until=until)
        assert first is not None and first.round_id == planned.round_id

        def claim_meanwhile() -> None:
            with other.transaction() as theirs:
                second.append(store.claim_round(theirs, owner="worker-b", now=utcnow(), until=until))

        racer = threading.Thread(target=claim_meanwhile)
        racer.start()
        time.sleep(0.3)  # the other worker reads while the first claim is not yet committed
    racer.join(15)
    other.dispose()
    assert second == [None]  # it waited (SQLite) or skipped the locked row (PostgreSQL), never both
    with database.transaction() as session:
        owners = {store.lock_round(session, planned.round_id).lease_owner}
    assert owners == {"worker-a"}
