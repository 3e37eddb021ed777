"""The special-pair filter has exactly the bits it was given set, each counted once."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from serendip.domain.matching.pair_features import BLOOM_BITS, bloom_filter

_BITS = st.lists(st.integers(0, (1 << BLOOM_BITS) - 1) | st.integers(0, 40), max_size=60)


@settings(deadline=None, max_examples=40)  # each example fills a 16 MB filter
@given(_BITS)
def test_bloom_filter_sets_exactly_the_given_bits(bits: list[int]) -> None:
    bloom = bloom_filter(np.array(bits, dtype=np.uint64))
    on = [8 * byte + k for byte in np.flatnonzero(bloom).tolist() for k in range(8) if bloom[byte] >> k & 1]
    assert on == sorted(set(bits))
