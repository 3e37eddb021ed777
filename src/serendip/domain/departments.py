"""Department identity: the one rule that decides whether two people are in the same team."""

from __future__ import annotations

import functools
import unicodedata


# A pure function of the spelling, called per person and per pair on large rounds: a program has
# few spellings (bounded, so a flood of distinct names cannot grow it without limit).
@functools.lru_cache(maxsize=1 << 16)
def department_key(name: str | None) -> str | None:
    """The identity of a department name: NFKC, case-folded, trimmed, inner whitespace collapsed.

    "Sales", " sales" and "SALES  " share one key; an empty or blank name is no department (None).
    """
    if name is None:
        return None
    # NFKC again after case folding: folding can produce sequences NFKC would still change.
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    key = " ".join(folded.split())
    return key or None


def department_display(name: str | None) -> str | None:
    """How a department name is shown when first seen: trimmed, inner whitespace collapsed."""
    if name is None:
        return None
    shown = " ".join(unicodedata.normalize("NFKC", name).split())
    return shown or None


def same_team(a: str | None, b: str | None) -> bool:
    """Both departments known and equal by key."""
    ka, kb = department_key(a), department_key(b)
    return ka is not None and ka == kb
