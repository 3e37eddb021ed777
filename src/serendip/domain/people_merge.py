"""What one HR-file row does to a member, decided in memory: the rules of `serendip import-people`.

The set-based importer loads a batch of members, applies its rows here in file order, and writes the
result in a few statements. The rules are the row-at-a-time importer's, which stays as the reference
(`services.people_import_rows`): a row with more tags than allowed is refused before anything is
written; a new id becomes a member named after the row; an e-mail-only row must match a known
member; HR is the strongest source of department and time zone (`PRODUCT.md`, Profile).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from serendip.domain import zones
from serendip.domain.departments import department_display, department_key
from serendip.domain.people_csv import PersonRow
from serendip.domain.tags import MAX_TAGS_PER_KIND

# Department sources, weakest first; a weaker source never overwrites a stronger one.
SOURCE_STRENGTH = {"self": 1, "directory": 2, "hr": 3}
HR = "hr"
MAX_NAME = 255  # the width of the department and department_key columns
TAG_KINDS = ("expertise", "interest")
# The member columns the import may change, in `MemberFacts.column_values` order.
CHANGED_COLUMNS = (
    "real_name",
    "department",
    "department_key",
    "department_source",
    "tz",
    "tz_offset_minutes",
    "tz_source",
    "manager_slack_id",
)


@dataclass(slots=True)
class MemberFacts:
    """The columns of one member the import reads or writes, plus its tags by kind."""

    slack_id: str
    id: int | None = None  # None until the member is stored
    email: str | None = None
    name: str = ""
    real_name: str = ""
    department: str | None = None
    department_key: str | None = None
    department_source: str | None = None
    tz: str = "UTC"
    tz_offset_minutes: int = 0
    tz_source: str | None = None
    manager_slack_id: str | None = None
    # Immutable and shared when empty: a batch holds thousands of members, most with no tags yet.
    expertise: frozenset[str] = frozenset()
    interests: frozenset[str] = frozenset()
    added_tags: tuple[tuple[str, str], ...] = ()  # (kind, tag) in the order added

    def columns(self) -> dict[str, object]:
        """The member columns the import may change (compared before and after to find updates)."""
        return dict(zip(CHANGED_COLUMNS, self.column_values(), strict=True))

    def column_values(self) -> tuple[object, ...]:
        """The values of `CHANGED_COLUMNS`, in that order (a plain tuple: cheap per row)."""
        return (
            self.real_name,
            self.department,
            self.department_key,
            self.department_source,
            self.tz,
            self.tz_offset_minutes,
            self.tz_source,
            self.manager_slack_id,
        )


def tag_count_problem(row: PersonRow) -> str | None:
    """A row with more tags of one kind than a member may hold is refused before any look-up."""
    for kind, tags in (("expertise", row.expertise), ("interest", row.interests)):
        if len(tags) > MAX_TAGS_PER_KIND:
            return f"more than {MAX_TAGS_PER_KIND} {kind} tags for this person"
    return None


def new_member(row: PersonRow) -> MemberFacts:
    """The member an id row creates: named after the row, with its e-mail when given."""
    assert row.id is not None
    return MemberFacts(slack_id=row.id, email=row.email, name=row.name or "", real_name=row.name or "")


def no_member_problem(email: str | None) -> str:
    """An e-mail-only row whose address matches no known member."""
    return f"no Slack member with e-mail {email} is known yet (start `serendip serve` once to sync the directory, or use an id column)"


@lru_cache(maxsize=65_536)  # a file repeats a few thousand departments many times
def department_identity(department: str | None) -> tuple[str, str]:
    """The (spelling, key) an HR department is stored under, both cut to the column width; key may be ''."""
    spelling = (department_display(department) or "")[:MAX_NAME].rstrip()
    return spelling, (department_key(spelling) or "")[:MAX_NAME].rstrip()


@lru_cache(maxsize=4096)  # an HR file repeats a few zones; a failed zone look-up is slow
def hr_zone(raw: str, offset_minutes: int) -> str | None:
    """The zone an HR cell is stored as: its IANA name, or a zone that keeps the offset (None: none does)."""
    name = raw.strip()
    return name if zones.is_zone_name(name) else zones.zone_for_offset(offset_minutes)


def apply_row(
    member: MemberFacts, row: PersonRow, *, forgotten: set[str], departments: dict[str, str]
) -> str | None:
    """Apply one accepted row to ``member``; the problem (nothing changed) if its tags would overflow.

    ``departments`` maps department keys to the workspace's shown spelling; a key seen for the first
    time gets this row's spelling (first seen wins) and is added to it.
    """
    for kind, held, tags in (
        ("expertise", member.expertise, row.expertise),
        ("interest", member.interests, row.interests),
    ):
        # The union is built only when the sizes could overflow (rarely: most members hold few tags).
        if len(held) + len(tags) > MAX_TAGS_PER_KIND and len(held | tags) > MAX_TAGS_PER_KIND:
            return f"more than {MAX_TAGS_PER_KIND} {kind} tags for this person"
    if row.name and not member.real_name:
        member.real_name = row.name
    if row.department:
        _set_hr_department(member, row.department, departments)
    if row.manager_id and row.manager_id not in forgotten:  # a forgotten id is stored nowhere
        member.manager_slack_id = row.manager_id
    if row.timezone:
        member.tz_offset_minutes = row.utc_offset_minutes
        name = hr_zone(row.timezone, row.utc_offset_minutes)
        if name is not None:  # else the stored offset changes and the Slack zone stays
            member.tz, member.tz_source = name, HR
    new_expertise = row.expertise - member.expertise if member.expertise else row.expertise
    new_interests = row.interests - member.interests if member.interests else row.interests
    if new_expertise:
        member.added_tags += tuple([("expertise", t) for t in sorted(new_expertise)])
        member.expertise = member.expertise | new_expertise if member.expertise else new_expertise
    if new_interests:
        member.added_tags += tuple([("interest", t) for t in sorted(new_interests)])
        member.interests = member.interests | new_interests if member.interests else new_interests
    return None


def _set_hr_department(member: MemberFacts, department: str, departments: dict[str, str]) -> None:
    """HR's department, unless a stronger source holds one; a blank one clears only HR's own."""
    current = SOURCE_STRENGTH.get(member.department_source or "", 0)
    if current > SOURCE_STRENGTH[HR] and member.department:
        return
    spelling, key = department_identity(department)
    if not key:
        if member.department_source == HR:
            member.department, member.department_key, member.department_source = None, None, None
        return
    name = departments.setdefault(key, spelling)
    member.department, member.department_key, member.department_source = name, key, HR
