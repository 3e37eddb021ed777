"""A season's circles while they are being formed: members per circle, each person's circle."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class SeasonDraft:
    """Circles as lists of person numbers, their topics, and where each person sits (-1: nowhere)."""

    circles: list[list[int]]
    topic: list[int]
    where: list[int]
    by_topic: list[list[int]]  # circle numbers of each topic, in the order they were formed

    @classmethod
    def empty(cls, people: int, topics: int) -> SeasonDraft:
        """No circle yet."""
        return cls([], [], [-1] * people, [[] for _ in range(topics)])

    def add(self, members: list[int], topic: int) -> int:
        """A new circle; its number."""
        c = len(self.circles)
        self.circles.append(members)
        self.topic.append(topic)
        self.by_topic[topic].append(c)
        for i in members:
            self.where[i] = c
        return c

    def join(self, c: int, person: int) -> None:
        """Add someone unplaced to circle c."""
        self.circles[c].append(person)
        self.where[person] = c

    def swap(self, x: int, y: int) -> None:
        """Exchange two people of different circles."""
        cx, cy = self.where[x], self.where[y]
        a, b = self.circles[cx], self.circles[cy]
        a[a.index(x)] = y
        b[b.index(y)] = x
        self.where[x], self.where[y] = cy, cx

    def move(self, x: int, to: int) -> None:
        """Move someone from their circle to circle `to`."""
        self.circles[self.where[x]].remove(x)
        self.join(to, x)
