"""The circles' part of the tick asks each installation for its publisher once per pass."""

from __future__ import annotations

from typing import cast

from serendip.services.lifecycle.circle_tick import once_per_scope
from serendip.services.ports import IntroPublisher


def test_each_installation_s_publisher_is_built_once_per_pass() -> None:
    built: list[str] = []

    def build(scope_id: str) -> IntroPublisher:
        built.append(scope_id)
        return cast(IntroPublisher, object())

    publisher_for = once_per_scope(build)
    first = publisher_for("T1")
    assert publisher_for("T1") is first and publisher_for("T2") is not first
    assert built == ["T1", "T2"]
