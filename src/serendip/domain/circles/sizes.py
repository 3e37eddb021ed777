"""Which head-counts can be cut into circles within the size bounds, and how."""

from __future__ import annotations

from dataclasses import dataclass

from serendip.domain.circles.model import circle_bounds


@dataclass(frozen=True)
class Sizes:
    """Circle sizes for a program's `size`: circles hold `smallest`..`largest` people."""

    size: int
    smallest: int
    largest: int

    @classmethod
    def for_size(cls, size: int) -> Sizes:
        """The bounds of `circle_bounds` for this target size."""
        smallest, largest = circle_bounds(size)
        return cls(size, smallest, largest)

    def fits(self, people: int) -> bool:
        """Whether `people` can be cut into circles within bounds, nobody left over."""
        return people >= self.smallest and -(-people // self.largest) <= people // self.smallest

    def largest_fit(self, people: int) -> int:
        """The most of `people` that can be cut into circles (0 below the smallest circle)."""
        # Gaps between fitting counts are shorter than the smallest circle: a few steps at most.
        for count in range(people, self.smallest - 1, -1):
            if self.fits(count):
                return count
        return 0

    def next_fit(self, people: int) -> int:
        """The fewest people, `people` or more, that can be cut into circles."""
        count = max(people, self.smallest)
        while not self.fits(count):
            count += 1
        return count

    def circle_count(self, people: int) -> int:
        """How many circles to cut a fitting head-count into: as close to the target size as bounds allow."""
        fewest, most = -(-people // self.largest), people // self.smallest
        return min(most, max(fewest, round(people / self.size)))
