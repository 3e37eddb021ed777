"""Slack's cursor pagination: opaque base64 cursors and ``response_metadata.next_cursor``."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import TypeVar

from serendip_sandbox.errors import SlackError

T = TypeVar("T")


def encode_cursor(kind: str, offset: int) -> str:
    """Return an opaque cursor such as ``dXNlcjozMA==`` (``user:30``)."""
    return base64.b64encode(f"{kind}:{offset}".encode()).decode()


def decode_cursor(kind: str, cursor: str) -> int:
    """Return the offset inside ``cursor``; ``invalid_cursor`` when it is not ours."""
    try:
        prefix, _, offset = base64.b64decode(cursor, validate=True).decode().partition(":")
        if prefix != kind or not offset.isdigit():
            raise ValueError(cursor)
        return int(offset)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise SlackError("invalid_cursor") from None


def clamp_limit(requested: int | None, *, default: int, maximum: int) -> int:
    """Apply Slack's defaults: no or zero limit → ``default``; more than ``maximum`` → ``maximum``."""
    if requested is None or requested <= 0:
        return default
    return min(requested, maximum)


def page(items: Sequence[T], *, kind: str, cursor: str | None, limit: int) -> tuple[list[T], str]:
    """Return one page of ``items`` and the next cursor ("" on the last page)."""
    start = decode_cursor(kind, cursor) if cursor else 0
    chunk = list(items[start : start + limit])
    end = start + len(chunk)
    return chunk, encode_cursor(kind, end) if end < len(items) else ""
