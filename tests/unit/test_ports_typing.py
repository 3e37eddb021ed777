"""No `Any` crosses the Slack port: every Directory and Messaging signature names its types."""

from __future__ import annotations

import inspect
import typing

import pytest

from serendip.services import ports


def _mentions_any(hint: object) -> bool:
    if hint is typing.Any:
        return True
    return any(_mentions_any(arg) for arg in typing.get_args(hint))


@pytest.mark.parametrize("port", [ports.Directory, ports.Messaging])
def test_no_port_method_takes_or_returns_any(port: type) -> None:
    methods = [name for name, _ in inspect.getmembers(port, inspect.isfunction) if not name.startswith("_")]
    assert methods
    for name in methods:
        hints = typing.get_type_hints(getattr(port, name), vars(ports))
        assert not [p for p, hint in hints.items() if _mentions_any(hint)], f"{port.__name__}.{name}"
