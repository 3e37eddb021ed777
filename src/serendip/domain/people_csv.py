"""The people CSV (HR export) read by `serendip import-people` and `serendip simulate`.

Header row; an `id` (Slack id) or `email` column, and any of `name, department, timezone,
manager_id, expertise, interests`; tags separated by `;`. Other columns are ignored. A bad row
becomes a `RowProblem` and the good rows are still returned; a file that cannot be read or
decoded raises `PeopleFileError`. Every line of the file ends up in exactly one of: the header, an
accepted row, a problem, or a blank line (`PeopleFile.unaccounted_lines` checks that).
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import gt, itemgetter
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from serendip.domain.departments import department_display
from serendip.domain.tags import normalise_tag

KNOWN_COLUMNS = ("id", "email", "name", "department", "timezone", "manager_id", "expertise", "interests")
MAX_OFFSET_MINUTES = 14 * 60
_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
_ZERO = frozenset({"z", "utc", "gmt", "etc/utc", "utc+0", "utc-0"})
# The longest value each column may hold (the database's column sizes; a test keeps them equal).
MAX_LENGTHS = {"id": 32, "email": 320, "name": 255, "department": 255, "timezone": 64, "manager_id": 32}
_BLANK = dict.fromkeys(KNOWN_COLUMNS, "")
_KNOWN = itemgetter(*KNOWN_COLUMNS)
# Each known column's limit, in KNOWN_COLUMNS order (tags have none: their cells are split later).
_LIMIT_VALUES = tuple(MAX_LENGTHS.get(column, sys.maxsize) for column in KNOWN_COLUMNS)
# No value of a people file has a line break, tab or other control character.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class PeopleFileError(Exception):
    """The file could not be read at all (missing, unreadable, not UTF-8 text)."""


@dataclass(frozen=True)
class RowProblem:
    """One rejected line; `str()` gives `FILE:LINE: problem`."""

    line: int
    message: str
    path: str = ""
    # The last line this problem covers (a quoted value can run over several lines).
    last_line: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


# Not frozen: a frozen dataclass sets each field through object.__setattr__, which made building
# the rows of a 100,000-line file cost ~0.4 s; nothing changes a row after parsing.
@dataclass(slots=True)
class PersonRow:
    """One accepted person; `timezone` is the raw cell, `utc_offset_minutes` its offset now."""

    line: int
    id: str | None
    email: str | None
    name: str | None
    department: str | None
    timezone: str | None
    utc_offset_minutes: int
    manager_id: str | None
    expertise: frozenset[str]
    interests: frozenset[str]


@dataclass
class PeopleFile:
    """Accepted rows and per-line problems, both in file order."""

    rows: list[PersonRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    lines: int = 0  # lines in the file, the header included
    blank_lines: list[int] = field(default_factory=list)
    header_lines: int = 0

    def unaccounted_lines(self) -> list[int]:
        """Lines that are neither header, row, problem nor blank: empty when nothing was lost."""
        covered: set[int] = set(range(1, self.header_lines + 1)) | set(self.blank_lines)
        covered |= {row.line for row in self.rows}
        for problem in self.problems:
            covered |= set(range(problem.line, max(problem.line, problem.last_line) + 1))
        return [n for n in range(1, self.lines + 1) if n not in covered]


def read_people_csv(path: Path, *, at: datetime | None = None) -> PeopleFile:
    """Parse a people CSV; IANA zones are turned into offsets at instant `at` (default: now)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PeopleFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PeopleFileError(
            f"{path}:{line}: not UTF-8 text (byte {exc.start}); save the file as UTF-8"
        ) from None
    return parse_people_csv(text, path=str(path), at=at or datetime.now(UTC))


def parse_people_csv(text: str, *, path: str, at: datetime) -> PeopleFile:
    """Parse CSV text (see `read_people_csv`)."""
    result = PeopleFile()
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        header = []
    except csv.Error as exc:
        result.problems.append(RowProblem(1, f"unreadable header: {exc}", path))
        return result
    if "id" not in header and "email" not in header:
        result.problems.append(RowProblem(1, "the header needs an `id` or `email` column", path))
        return result
    result.header_lines = reader.line_num
    seen: dict[tuple[str, str], int] = {}
    memo = _Memo(at)
    width, full_row = len(header), _known_cells(header)
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # The reader drops the rest of that line and goes on with the next: later rows still load.
            result.problems.append(RowProblem(line, f"unreadable row: {exc}", path, reader.line_num))
            if reader.line_num < line:
                break
            continue
        last = reader.line_num
        if last > line and any("\n" in c or "\r" in c for c in cells):
            message = (
                f"a quoted value runs from here to line {last} (an unclosed quote?); "
                f"lines {line}-{last} were read as this one row and nothing of them was loaded"
            )
            result.problems.append(RowProblem(line, message, path, last))
        elif not "".join(cells).strip():
            result.blank_lines.extend(range(line, last + 1))
        else:
            if len(cells) == width:  # the common case: pick the known cells by position, in C
                cells.append("")  # what an absent column reads
                parsed = _known_row(line, tuple(map(str.strip, full_row(cells))), seen, memo)
            else:
                parsed = _row(line, header, cells, seen, memo)
            if isinstance(parsed, str):
                result.problems.append(RowProblem(line, parsed, path, last))
            else:
                result.rows.append(parsed)
    result.lines = reader.line_num
    return result


class _Memo:
    """Per-file caches of pure conversions: an HR file repeats a few zones, departments and tags."""

    def __init__(self, at: datetime) -> None:
        self.at = at
        self.offsets: dict[str, int | str] = {}
        self.departments: dict[str, str | None] = {}
        self.tags: dict[str, frozenset[str]] = {}

    def offset(self, raw: str) -> int | str:
        """`utc_offset_minutes(raw, at)`, computed once per distinct value."""
        found = self.offsets.get(raw)
        if found is None:
            found = self.offsets[raw] = utc_offset_minutes(raw, self.at)
        return found

    def department(self, raw: str) -> str | None:
        """`department_display(raw)`, computed once per distinct value."""
        if raw not in self.departments:
            self.departments[raw] = department_display(raw)
        return self.departments[raw]

    def tag_set(self, raw: str) -> frozenset[str]:
        """`_tags(raw)`, computed once per distinct cell."""
        found = self.tags.get(raw)
        if found is None:
            found = self.tags[raw] = _tags(raw)
        return found


def _known_cells(header: list[str]) -> Callable[[list[str]], tuple[str, ...]]:
    """Picks a full row's known cells in `KNOWN_COLUMNS` order from its cells plus one blank appended.

    As `_row` reads them: a later column of the same name wins; an absent column is the blank.
    """
    last = {name: i for i, name in enumerate(header)}
    return itemgetter(*(last.get(column, len(header)) for column in KNOWN_COLUMNS))


def _row(
    line: int, header: list[str], cells: list[str], seen: dict[tuple[str, str], int], memo: _Memo
) -> PersonRow | str:
    """One data row, or the problem with it."""
    if len(cells) > len(header):
        return f"{len(cells)} values but the header has {len(header)} columns"
    # A later column of the same name wins, and a short row's missing cells are blank.
    values = {h: c.strip() for h, c in zip(header, cells, strict=False)}
    return _known_row(line, _KNOWN(_BLANK | values), seen, memo)


def _known_row(
    line: int, known: tuple[str, ...], seen: dict[tuple[str, str], int], memo: _Memo
) -> PersonRow | str:
    """A row from its stripped known cells, in `KNOWN_COLUMNS` order (blank where absent)."""
    # One search over the row first (the common, clean case); the column is named only on a hit.
    # Both checks run in C (join, map): this is the per-row cost of a 100,000-row file.
    if _CONTROL.search("".join(known)) or any(map(gt, map(len, known), _LIMIT_VALUES)):
        return _cell_problem(dict(zip(KNOWN_COLUMNS, known, strict=True)))
    pid_cell, email_cell, name, department, zone, manager, expertise, interests = known
    pid, email = pid_cell or None, email_cell or None
    if pid is None and email is None:
        return "neither an id nor an email"
    folded = None
    if email is not None:
        if "@" not in email:
            return f"not an email address: {email!r}"
        folded = email.casefold()
    if pid is not None and ("id", pid) in seen:
        return f"duplicate id {pid!r} (first on line {seen[('id', pid)]})"
    if folded is not None and ("email", folded) in seen:
        return f"duplicate email {folded!r} (first on line {seen[('email', folded)]})"
    offset = memo.offset(zone)
    if isinstance(offset, str):
        return offset
    if pid is not None:
        seen[("id", pid)] = line
    if folded is not None:
        seen[("email", folded)] = line
    return PersonRow(
        line,
        pid,
        email,
        name or None,
        memo.department(department),
        zone or None,
        offset,
        manager or None,
        memo.tag_set(expertise),
        memo.tag_set(interests),
    )


def _cell_problem(values: dict[str, str]) -> str:
    """The first known column holding a control character or a value longer than its column."""
    for column in KNOWN_COLUMNS:
        value = values.get(column, "")
        if _CONTROL.search(value):
            return f"`{column}` holds a line break, tab or other control character"
        limit = MAX_LENGTHS.get(column)
        if limit is not None and len(value) > limit:
            return f"`{column}` is longer than {limit} characters"
    raise AssertionError("no cell problem")  # unreachable: called only after a hit


def utc_offset_minutes(raw: str, at: datetime) -> int | str:
    """Offset of an IANA zone (at instant `at`) or of `+05:30`-style text; blank is UTC.

    Returns the problem as a string when the value is neither.
    """
    value = raw.strip()
    if not value or value.casefold() in _ZERO:
        return 0
    match = _OFFSET.match(value)
    if match:
        sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
        total = hours * 60 + minutes
        if minutes >= 60 or total > MAX_OFFSET_MINUTES:
            return f"time zone offset out of range: {value!r}"
        return -total if sign == "-" else total
    try:
        zone = ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return f"unknown time zone {value!r} (use an IANA name like Europe/Berlin or an offset like +05:30)"
    delta = at.astimezone(zone).utcoffset()
    return int(delta.total_seconds() // 60) if delta is not None else 0


def _tags(raw: str) -> frozenset[str]:
    """`;`-separated tags, normalised; empty and invalid ones dropped."""
    return frozenset(t for t in (normalise_tag(p) for p in raw.split(";")) if t is not None)
