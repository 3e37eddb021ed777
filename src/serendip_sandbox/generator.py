"""A realistic, reproducible sandbox workspace: departments, managers, time zones, edge-case accounts."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field

from serendip_sandbox.models import SandboxUser, Team
from serendip_sandbox.people import DEPARTMENTS, FIRST_NAMES, LAST_NAMES, TIME_ZONES, TimeZone
from serendip_sandbox.workspace import Workspace

COFFEE_CHANNEL = "coffee-chats"
DEPARTMENT_FIELD = "Department"
_TEAM_NAMES = ("Lumen Labs", "Northwind Trading", "Acme Robotics", "Blue Heron Health", "Fieldstone")
_OTHER_BOTS = ("Polly", "Standup Bot", "Jira Cloud", "Google Calendar", "Geekbot")
_TEAM_SPAN = 6  # people per first-line manager


@dataclass
class _Plan:
    rng: random.Random
    workspace: Workspace
    names: list[tuple[str, str]]
    domain: str
    team: Team
    prefix: str = "U"
    people: list[SandboxUser] = field(default_factory=list)


def generate_workspace(
    people: int = 40,
    departments: int = 6,
    seed: int = 0,
    *,
    guests: int = 1,
    bots: int = 1,
    deactivated: int = 1,
) -> Workspace:
    """Build a workspace of ``people`` active members in Zipf-sized departments, plus edge cases.

    Adds ``guests`` single-channel guests, ``deactivated`` former members and ``bots`` other bot
    users; all of them, the Serendip bot and every active member are in ``#coffee-chats``.
    """
    if people < 1:
        raise ValueError("people must be at least 1")
    if not 1 <= departments <= len(DEPARTMENTS):
        raise ValueError(f"departments must be between 1 and {len(DEPARTMENTS)}")
    rng = random.Random(seed)
    team_name = rng.choice(_TEAM_NAMES)
    domain = _slug(team_name)
    workspace = Workspace(
        Team(id="T0" + _digits(rng, 8), name=team_name, domain=domain, email_domain=f"{domain}.example"),
        seed=seed,
    )
    workspace.add_profile_field("Pronouns", "she/her, he/him, they/them")
    workspace.add_profile_field(DEPARTMENT_FIELD, "The team you belong to")
    total = people + guests + deactivated
    names = rng.sample([(f, last) for f in FIRST_NAMES for last in LAST_NAMES], total)
    plan = _Plan(rng, workspace, names, f"{domain}.example", workspace.team)
    chosen = _staff(plan, people, departments)
    _add_edge_cases(plan, chosen, guests=guests, deactivated=deactivated, bots=bots)
    return workspace


def staff_team(
    workspace: Workspace,
    team: Team,
    rng: random.Random,
    names: list[tuple[str, str]],
    *,
    departments: int,
    prefix: str = "U",
) -> list[SandboxUser]:
    """Add one member of ``team`` per name, in Zipf-sized departments with managers; ids use ``prefix``."""
    plan = _Plan(rng, workspace, names, team.email_domain, team, prefix)
    _staff(plan, len(names), departments)
    return plan.people


def _staff(plan: _Plan, people: int, departments: int) -> list[tuple[str, str, str, tuple[str, ...]]]:
    chosen = plan.rng.sample(DEPARTMENTS, departments)
    for (department, head, lead, titles), size in zip(chosen, zipf_sizes(people, departments), strict=True):
        _staff_department(plan, department, size, (head, lead, titles))
    _assign_leadership(plan)
    return chosen


def _add_edge_cases(
    plan: _Plan,
    chosen: list[tuple[str, str, str, tuple[str, ...]]],
    *,
    guests: int,
    deactivated: int,
    bots: int,
) -> None:
    workspace, rng = plan.workspace, plan.rng
    employees = [u.id for u in plan.people]
    for _ in range(guests):
        _person(plan, title="Contractor", is_restricted=True, is_ultra_restricted=True)
    for _ in range(deactivated):
        former = _person(plan, title=rng.choice(chosen)[3][0], department=rng.choice(chosen)[0])
        former.deleted = True
    extra_bots = [_bot(workspace, name) for name in _OTHER_BOTS[:bots]]
    members = [u.id for u in plan.people] + [b.id for b in extra_bots] + [workspace.bot.id]
    coffee = workspace.add_channel(COFFEE_CHANNEL, members, creator=employees[0])
    coffee.purpose = "Random intros across teams. Join to be paired every week!"
    general = workspace.add_channel("general", employees, creator=employees[0])
    general.is_general = True


def zipf_sizes(people: int, departments: int) -> list[int]:
    """Split ``people`` into ``departments`` sizes proportional to 1/k, each at least 1 when possible."""
    weights = [1 / rank for rank in range(1, departments + 1)]
    floor = 1 if people >= departments else 0
    spare = people - floor * departments
    shares = [spare * w / sum(weights) for w in weights]
    sizes = [floor + int(share) for share in shares]
    by_remainder = sorted(range(departments), key=lambda i: shares[i] - int(shares[i]), reverse=True)
    for index in by_remainder[: people - sum(sizes)]:
        sizes[index] += 1
    return sizes


def _staff_department(
    plan: _Plan, department: str, size: int, titles: tuple[str, str, tuple[str, ...]]
) -> None:
    head_title, lead_title, ic_titles = titles
    home_zone = _pick_zone(plan.rng)
    lead_count = (size - 2) // _TEAM_SPAN + 1 if size > _TEAM_SPAN + 1 else 0
    head: SandboxUser | None = None
    leads: list[SandboxUser] = []
    for index in range(size):
        zone = home_zone if plan.rng.random() < 0.6 else _pick_zone(plan.rng)
        if index == 0:
            head = _person(plan, title=head_title, department=department, tz=zone)
            continue
        is_lead = index <= lead_count
        person = _person(
            plan, title=lead_title if is_lead else plan.rng.choice(ic_titles), department=department, tz=zone
        )
        if is_lead:
            person.manager_id = head.id if head else None
            leads.append(person)
        else:
            person.manager_id = leads[index % len(leads)].id if leads else (head.id if head else None)


def _assign_leadership(plan: _Plan) -> None:
    heads = [p for p in plan.people if p.manager_id is None]
    chief = heads[0]
    chief.is_owner = chief.is_primary_owner = chief.is_admin = True
    for head in heads[1:]:
        head.manager_id = chief.id
    people_team = [p for p in plan.people if plan.workspace.department_of(p.id) == "People"]
    (people_team[0] if people_team else heads[-1]).is_admin = True


def _person(
    plan: _Plan,
    *,
    title: str,
    department: str | None = None,
    tz: str | None = None,
    is_restricted: bool = False,
    is_ultra_restricted: bool = False,
) -> SandboxUser:
    first, last = plan.names[len(plan.people)]
    handle = f"{_slug(first)}.{_slug(last)}"
    user = SandboxUser(
        id=plan.workspace.ids.new(plan.prefix),
        team_id=plan.team.id,
        name=handle,
        real_name=f"{first} {last}",
        display_name=plan.rng.choice((first, handle, "", first)),
        title=title,
        email=f"{handle}@{plan.domain}",
        tz=tz or _pick_zone(plan.rng),
        is_restricted=is_restricted,
        is_ultra_restricted=is_ultra_restricted,
    )
    plan.workspace.add_user(user)
    if department:
        plan.workspace.set_field(user.id, DEPARTMENT_FIELD, department)
    if plan.rng.random() < 0.5:
        plan.workspace.set_field(user.id, "Pronouns", plan.rng.choice(("she/her", "he/him", "they/them")))
    plan.people.append(user)
    return user


def _bot(workspace: Workspace, name: str) -> SandboxUser:
    return workspace.add_user(
        SandboxUser(
            id=workspace.ids.new("U"),
            team_id=workspace.team.id,
            name=_slug(name).replace(".", ""),
            real_name=name,
            display_name=name,
            is_bot=True,
            bot_id=workspace.ids.new("B"),
            app_id=workspace.ids.new("A"),
        )
    )


def _pick_zone(rng: random.Random) -> str:
    zones = [zone for zone, _ in TIME_ZONES]
    zone: TimeZone = rng.choices(zones, weights=[weight for _, weight in TIME_ZONES])[0]
    return zone.name


def slug(text: str) -> str:
    """Return a lower-case ASCII handle for ``text`` ("Zoë Ng" -> "zoe-ng")."""
    return _slug(text)


def digits(rng: random.Random, length: int) -> str:
    """Return ``length`` characters of a Slack id body."""
    return _digits(rng, length)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_text.lower().replace(" ", "-") if ch.isalnum() or ch == "-")


def _digits(rng: random.Random, length: int) -> str:
    return "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(length))
