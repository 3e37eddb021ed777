"""The listeners rebuilt in issue 10 stay thin: no ORM, queries, composition root, other listener or transaction."""

from __future__ import annotations

import pytest

from tests.unit.test_architecture import PACKAGE, imported_names, is_forbidden, module_name

LISTENERS = PACKAGE / "adapters" / "slack" / "listeners"
# admin.py, commands.py and rounds.py still hold `/coffee` handlers until the router replaces them.
THIN = ("actions.py", "asks.py", "events.py", "home.py", "profile.py")
FORBIDDEN_IN_LISTENERS = ("serendip.bootstrap", "serendip.adapters.db", "serendip.adapters.slack.listeners")


@pytest.mark.parametrize("name", THIN)
def test_a_thin_listener_imports_no_database_bootstrap_or_other_listener(name: str) -> None:
    path = LISTENERS / name
    imports = imported_names(path.read_text(encoding="utf-8"), module_name(path))
    assert sorted(n for n in imports if is_forbidden(n, FORBIDDEN_IN_LISTENERS)) == []


@pytest.mark.parametrize("name", THIN)
def test_a_thin_listener_opens_no_transaction(name: str) -> None:
    assert ".transaction(" not in (LISTENERS / name).read_text(encoding="utf-8")
