"""auth.test, auth.teams.list, team.info, team.profile.get, users.list, users.info, users.profile.get,
users.lookupByEmail and migration.exchange."""

from __future__ import annotations

from serendip_sandbox.context import CallContext
from serendip_sandbox.errors import SlackError
from serendip_sandbox.models import JsonDict, SandboxUser
from serendip_sandbox.pagination import clamp_limit, page


def auth_test(ctx: CallContext) -> JsonDict:
    """Identify who is behind the token: the bot (or installing person), its team and org."""
    ws, grant = ctx.workspace, ctx.grant
    person = ws.users.get(grant.user_id, ws.bot) if grant else ws.bot
    answer: JsonDict = {
        "ok": True,
        "url": ws.team.url,
        "team": ws.team.name,
        "user": person.name,
        "team_id": ws.team.id,
        "user_id": person.id,
    }
    if person.is_bot:
        answer["bot_id"] = person.bot_id
    if ws.enterprise is not None:
        answer["enterprise_id"] = ws.enterprise.id
    if ctx.org_wide and ws.enterprise is not None:
        # An org-wide token speaks for the org: Slack reports the enterprise as its team.
        answer.update(url=ws.enterprise.url, team=ws.enterprise.name, team_id=ws.enterprise.id)
    answer["is_enterprise_install"] = ctx.org_wide
    return answer


def auth_teams_list(ctx: CallContext) -> JsonDict:
    """List the workspaces the token may act on (an org-wide app: those its org granted)."""
    ws = ctx.workspace
    teams = [t for t in ws.teams if t.id not in ws.teams_without_access]
    shapes = [{"id": t.id, "name": t.name, "icon": t.to_slack()["icon"]} for t in teams]
    return {"ok": True, "teams": shapes, "response_metadata": {"next_cursor": ""}}


def team_info(ctx: CallContext) -> JsonDict:
    """Describe the workspace (``team`` picks one of a Grid org's workspaces)."""
    ctx.need("team:read")
    ws = ctx.workspace
    wanted = ctx.params.text("team") or ws.team.id
    team = next((t for t in ws.teams if t.id == wanted), None)
    if team is None:
        raise SlackError("team_not_found")
    shape = team.to_slack()
    if ws.enterprise is not None:
        shape.update(enterprise_id=ws.enterprise.id, enterprise_name=ws.enterprise.name)
    return {"ok": True, "team": shape}


def team_profile_get(ctx: CallContext) -> JsonDict:
    """List the team's custom profile fields."""
    ctx.need("users.profile:read")
    fields = [f.to_slack() for f in ctx.workspace.profile_fields]
    sections = [
        {
            "id": "Xs01PROFILE",
            "team_id": ctx.workspace.team.id,
            "section_type": "custom",
            "label": "About me",
            "order": 1,
            "is_hidden": False,
        }
    ]
    return {"ok": True, "profile": {"fields": fields, "sections": sections}}


def users_list(ctx: CallContext) -> JsonDict:
    """Page through every member, the deactivated, bots and Slackbot included (no custom fields).

    An org-wide token must name the workspace (``team_id``); its members are listed.
    """
    ctx.need("users:read")
    ws = ctx.workspace
    team_id = ctx.team_argument(required=True)
    listed = [u for u in ws.users.values() if team_id is None or u.is_in_team(team_id)]
    limit = clamp_limit(ctx.params.number("limit"), default=200, maximum=1000)
    users, next_cursor = page(listed, kind="users", cursor=ctx.params.text("cursor"), limit=limit)
    email = "users:read.email" in ctx.scopes
    members = [u.to_slack(ws.now(), include_email=email) for u in users]
    return {
        "ok": True,
        "members": members,
        "cache_ts": ws.epoch(),
        "response_metadata": {"next_cursor": next_cursor},
    }


def users_info(ctx: CallContext) -> JsonDict:
    """Return one member (no custom fields, as in Slack)."""
    ctx.need("users:read")
    asked = ctx.params.required("user", "user_not_found")
    user = _user(ctx, asked)
    shape = user.to_slack(ctx.workspace.now(), include_email="users:read.email" in ctx.scopes)
    # Asked by a Grid member's workspace-local id, Slack answers with that id; enterprise_user
    # still names the org-wide one.
    shape["id"] = asked
    return {"ok": True, "user": shape}


def users_lookup_by_email(ctx: CallContext) -> JsonDict:
    """Find a member by email (needs ``users:read.email``); ``users_not_found`` when nobody has it."""
    ctx.need("users:read.email")
    email = ctx.params.required("email", "users_not_found").lower()
    for user in ctx.workspace.users.values():
        if user.email and user.email.lower() == email:
            return {"ok": True, "user": user.to_slack(ctx.workspace.now())}
    raise SlackError("users_not_found")


def users_profile_get(ctx: CallContext) -> JsonDict:
    """Return a member's profile with its custom ``fields`` (labelled on ``include_labels``)."""
    ctx.need("users.profile:read")
    user = _user(ctx, ctx.params.text("user") or ctx.workspace.bot.id)
    profile = user.profile(include_fields=True, include_email="users:read.email" in ctx.scopes)
    if ctx.params.flag("include_labels"):
        labels = {f.id: f.label for f in ctx.workspace.profile_fields}
        for field_id, value in profile["fields"].items():
            value["label"] = labels.get(field_id, "")
    return {"ok": True, "profile": profile}


def migration_exchange(ctx: CallContext) -> JsonDict:
    """Map a Grid workspace's local user ids to org-wide ones (``to_old``: the reverse), 400 at most.

    Ids with no counterpart in that workspace come back in ``invalid_user_ids``. Any token of the
    org may ask (Slack's ``tokens.basic``); an org-wide token names the workspace (``team_id``).
    """
    ws = ctx.workspace
    if ws.enterprise is None:
        raise SlackError("not_enterprise_team")
    team_id = ctx.team_argument(required=True) or ws.team.id
    users = [u.strip() for u in ctx.params.required("users").strip("[]").replace('"', "").split(",")]
    if len(users) > 400:
        raise SlackError("too_many_users")
    with ws.lock:
        pairs = [(local, org_id) for local, (team, org_id) in ws.local_ids.items() if team == team_id]
    known = {org_id: local for local, org_id in pairs} if ctx.params.flag("to_old") else dict(pairs)
    mapped = {u: known[u] for u in users if u in known}
    answer: JsonDict = {
        "ok": True,
        "team_id": team_id,
        "enterprise_id": ws.enterprise.id,
        "user_id_map": mapped,
    }
    invalid = [u for u in users if u and u not in known]
    if invalid:
        answer["invalid_user_ids"] = invalid
    return answer


def _user(ctx: CallContext, user_id: str) -> SandboxUser:
    user = ctx.workspace.users.get(ctx.workspace.global_id(user_id))
    if user is None:
        raise SlackError("user_not_found")
    return user
