"""The group-size formula of PRODUCT.md and seed derivation."""

from __future__ import annotations

import hashlib

from serendip.domain.matching.model import MAX_GROUP


def group_sizes(n: int, size: int) -> list[int]:
    """Sizes (largest first) of the groups for n placed people with target size `size`.

    g = max(ceil(n/8), floor(n/size)) groups, sizes as equal as possible; n < size gives one
    group of n; n <= 1 gives no group (the lone member is told separately).
    """
    if size < 2:
        raise ValueError(f"size must be >= 2, got {size}")
    if n <= 1:
        return []
    if n < size:
        return [n]
    groups = max(-(-n // MAX_GROUP), n // size)
    base, extra = divmod(n, groups)
    return [base + 1] * extra + [base] * (groups - extra)


def derive_round_seed(seed: int, round_number: int) -> int:
    """A stable 63-bit seed for round `round_number` of a run seeded with `seed`."""
    digest = hashlib.blake2b(f"serendip:{seed}:{round_number}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1
