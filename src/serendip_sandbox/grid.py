"""A reproducible Enterprise Grid org: two workspaces, people in one or both, an org-shared channel."""

from __future__ import annotations

import random

from serendip_sandbox.generator import COFFEE_CHANNEL, DEPARTMENT_FIELD, digits, slug, staff_team
from serendip_sandbox.models import Enterprise, Team
from serendip_sandbox.people import FIRST_NAMES, LAST_NAMES
from serendip_sandbox.workspace import Workspace

_ORG_NAMES = ("Globex", "Initech", "Umbrella Group", "Wayne Enterprises", "Tyrell")
_REGIONS = ("Europe", "Americas")
_ID_STREAM = 1_000_000  # the org draws ids from its own stream: none repeat generate_workspace(seed)


def generate_grid_org(
    people_per_team: int = 12, departments: int = 3, seed: int = 0, *, in_both: int = 2
) -> Workspace:
    """Build a Grid org (``enterprise``) whose ``teams`` are two workspaces, installed org-wide.

    Each workspace has ``people_per_team`` members (global ``W...`` ids, ``enterprise_user`` set);
    ``in_both`` people of the first are members of the second too. ``#coffee-chats`` is shared by
    both workspaces (org-shared) and holds everyone; ``#coffee-<region>`` holds one workspace's
    people. ``bot_token`` is the org-wide token; ``team`` is the first workspace.
    """
    if people_per_team < 1 or not 0 <= in_both <= people_per_team:
        raise ValueError("people_per_team must be at least 1 and in_both between 0 and people_per_team")
    rng = random.Random(f"serendip-grid-{seed}")
    org_name = rng.choice(_ORG_NAMES)
    domain = slug(org_name)
    enterprise = Enterprise(id="E0" + digits(rng, 8), name=org_name, domain=domain)
    teams = [
        Team(
            id="T0" + digits(rng, 8),
            name=f"{org_name} {region}",
            domain=f"{domain}-{slug(region)}",
            email_domain=f"{domain}.example",
        )
        for region in _REGIONS
    ]
    org = Workspace(teams[0], seed=_ID_STREAM + seed)
    org.enterprise, org.teams = enterprise, teams
    _make_org_wide(org, enterprise, teams)
    org.add_profile_field("Pronouns", "she/her, he/him, they/them")
    org.add_profile_field(DEPARTMENT_FIELD, "The team you belong to")
    names = rng.sample([(f, last) for f in FIRST_NAMES for last in LAST_NAMES], people_per_team * len(teams))
    members: dict[str, list[str]] = {}
    for index, team in enumerate(teams):
        chunk = names[index * people_per_team : (index + 1) * people_per_team]
        people = staff_team(org, team, rng, chunk, departments=departments, prefix="W")
        for person in people:
            person.enterprise, person.teams = enterprise, [team.id]
        members[team.id] = [p.id for p in people]
    for person_id in members[teams[0].id][:in_both]:
        org.users[person_id].teams.append(teams[1].id)
        members[teams[1].id].append(person_id)
    everyone = list(dict.fromkeys(m for team in teams for m in members[team.id]))
    shared = org.add_channel(COFFEE_CHANNEL, [*everyone, org.bot.id], creator=everyone[0])
    shared.team_ids = [t.id for t in teams]
    shared.purpose = "Random intros across the whole org. Join to be paired every week!"
    for team, region in zip(teams, _REGIONS, strict=True):
        local = org.add_channel(f"coffee-{slug(region)}", [*members[team.id], org.bot.id])
        local.creator, local.team_ids = members[team.id][0], [team.id]
    return org


def give_local_id(org: Workspace, user_id: str, team_id: str) -> str:
    """Give Grid member ``user_id`` a workspace-local ``U...`` id in ``team_id`` (as when that
    workspace joined the org with them in it) and return it; ``migration.exchange`` maps it back."""
    with org.lock:
        if not org.user(user_id).is_in_team(team_id):
            raise ValueError(f"{user_id} is not a member of {team_id}")
        local = org.ids.new("U")
        org.local_ids[local] = (team_id, user_id)
        return local


def _make_org_wide(org: Workspace, enterprise: Enterprise, teams: list[Team]) -> None:
    # An org-wide app has one bot user for the whole org, with a global (W) id.
    bot = org.users.pop(org.bot.id)
    bot.id = org.ids.new("W")
    org.users[bot.id] = bot
    for account in (bot, org.slackbot):
        account.enterprise, account.teams = enterprise, [t.id for t in teams]
