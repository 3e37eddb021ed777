"""Small hand-written fakes of the services' ports, for storage-level tests."""

from __future__ import annotations

from collections.abc import Iterator

from serendip.services.ports import DirectoryChannel, DirectoryUser


class FakeDirectory:
    """An in-memory Directory: users, channels and a department field."""

    def __init__(self, team_id: str = "T1") -> None:
        self.team_id = team_id
        self.people: dict[str, DirectoryUser] = {}
        self.channels: dict[str, list[str]] = {}
        self.departments: dict[str, str] = {}
        self.calls: list[str] = []

    def add(self, user_id: str, **facts: object) -> DirectoryUser:
        """Add a person (keyword facts override the defaults)."""
        values: dict[str, object] = {
            "id": user_id,
            "team_id": self.team_id,
            "name": user_id.lower(),
            "real_name": f"Person {user_id}",
            "tz": "Europe/Berlin",
            "tz_offset_minutes": 60,
        }
        values.update(facts)
        user = DirectoryUser(**values)  # type: ignore[arg-type]
        self.people[user_id] = user
        return user

    def user(self, user_id: str) -> DirectoryUser:
        self.calls.append(f"users.info:{user_id}")
        return self.people[user_id]

    def users(self) -> Iterator[list[DirectoryUser]]:
        people = list(self.people.values())
        for start in range(0, len(people), 2):
            yield people[start : start + 2]

    def users_page(self, cursor: str | None) -> tuple[list[DirectoryUser], str | None]:
        start = int(cursor or 0)
        people = list(self.people.values())
        return people[start : start + 2], str(start + 2) if start + 2 < len(people) else None

    def channel_members(self, channel_id: str) -> list[str]:
        return list(self.channels.get(channel_id, []))

    def channel_name(self, channel_id: str) -> str:
        return f"name-{channel_id}"

    def channel(self, channel_id: str) -> DirectoryChannel:
        return DirectoryChannel(channel_id, self.channel_name(channel_id), True, True)

    def department_field_id(self, label: str) -> str | None:
        return "Xf1" if label == "Department" else None

    def profile_field(self, user_id: str, field_id: str) -> str | None:
        self.calls.append(f"users.profile.get:{user_id}")
        return self.departments.get(user_id)
