"""views.open, views.push, views.update and views.publish: modal stacks and App Home tabs."""

from __future__ import annotations

import copy
import time

from serendip_sandbox.context import CallContext
from serendip_sandbox.errors import SlackError, invalid_arguments
from serendip_sandbox.methods_chat import assign_ids, validate_blocks
from serendip_sandbox.models import JsonDict
from serendip_sandbox.records import Trigger, View

MAX_VIEW_BLOCKS = 100
MAX_MODAL_STACK = 3
MAX_PRIVATE_METADATA = 3000
MAX_TITLE = 24


def views_open(ctx: CallContext) -> JsonDict:
    """Open a modal as the root of a new stack for the trigger's user."""
    trigger = _exchange_trigger(ctx)
    definition = _view_argument(ctx, "modal")
    ws = ctx.workspace
    for view in ws.views.values():
        if view.user_id == trigger.user_id:
            view.is_open = False
    view = _new_view(ctx, trigger.user_id, definition)
    ws.views[view.id] = view
    ws.touch()
    return {"ok": True, "view": view.to_slack()}


def views_push(ctx: CallContext) -> JsonDict:
    """Push a modal on top of the trigger user's open stack (at most three deep)."""
    trigger = _exchange_trigger(ctx)
    definition = _view_argument(ctx, "modal")
    ws = ctx.workspace
    stack = [v for v in ws.views.values() if v.user_id == trigger.user_id and v.is_open]
    if not stack:
        raise SlackError("not_found")
    if len(stack) >= MAX_MODAL_STACK:
        raise SlackError("push_limit_reached")
    view = _new_view(ctx, trigger.user_id, definition)
    view.previous_view_id = stack[-1].id
    view.root_view_id = stack[0].root_view_id or stack[0].id
    ws.views[view.id] = view
    ws.touch()
    return {"ok": True, "view": view.to_slack()}


def views_update(ctx: CallContext) -> JsonDict:
    """Replace an open modal (or a published Home) by ``view_id`` or ``external_id``."""
    view = _find_view(ctx)
    definition = _view_argument(ctx, view.type)
    _check_hash(ctx, view)
    view.definition = definition
    view.hash = _hash(ctx)
    view.errors = None
    ctx.workspace.touch()
    return {"ok": True, "view": view.to_slack()}


def views_publish(ctx: CallContext) -> JsonDict:
    """Publish the App Home of ``user_id``; the view id stays the same across publishes."""
    ws = ctx.workspace
    user_id = ctx.params.required("user_id")
    if user_id not in ws.users:
        raise SlackError("user_not_found")
    definition = _view_argument(ctx, "home")
    current = ws.home_views.get(user_id)
    if current is None:
        ws.home_views[user_id] = current = _new_view(ctx, user_id, definition)
    else:
        _check_hash(ctx, current)
        current.definition = definition
        current.hash = _hash(ctx)
    ws.touch()
    return {"ok": True, "view": current.to_slack()}


def _exchange_trigger(ctx: CallContext) -> Trigger:
    trigger_id = ctx.params.required("trigger_id")
    trigger = ctx.workspace.triggers.get(trigger_id)
    if trigger is None:
        raise SlackError("invalid_trigger_id")
    if trigger.used:
        raise SlackError("exchanged_trigger_id")
    if time.monotonic() - trigger.issued_at > ctx.workspace.trigger_ttl_seconds:
        raise SlackError("expired_trigger_id")
    trigger.used = True
    return trigger


def _view_argument(ctx: CallContext, expected_type: str) -> JsonDict:
    view = ctx.params.structured("view", "invalid_arguments")
    if view is None:
        raise invalid_arguments("missing required field: view")
    if not isinstance(view, dict):
        raise invalid_arguments("must provide an object [json-pointer:/view]")
    if view.get("type") != expected_type:
        raise invalid_arguments(f"must be '{expected_type}' [json-pointer:/view/type]")
    validate_blocks(view.get("blocks", []), MAX_VIEW_BLOCKS, "view/blocks", "invalid_arguments")
    if expected_type == "modal":
        title = view.get("title")
        if not isinstance(title, dict) or not 0 < len(str(title.get("text", ""))) <= MAX_TITLE:
            raise invalid_arguments(
                f"must be less than {MAX_TITLE + 1} characters [json-pointer:/view/title/text]"
            )
    if len(str(view.get("private_metadata", ""))) > MAX_PRIVATE_METADATA:
        raise invalid_arguments("must be less than 3001 characters [json-pointer:/view/private_metadata]")
    definition = copy.deepcopy(view)
    assign_ids(definition.get("blocks"), lambda: ctx.workspace.ids.secret(5))
    return definition


def _new_view(ctx: CallContext, user_id: str, definition: JsonDict) -> View:
    ws = ctx.workspace
    person = ws.users.get(user_id)
    return View(
        id=ws.ids.new("V"),
        team_id=person.team_id if person and ws.enterprise else ws.team.id,
        user_id=user_id,
        definition=definition,
        hash=_hash(ctx),
        app_id=ws.app_id,
        bot_id=ws.bot.bot_id or "",
        installed_team_id=ws.scope_id,  # an org-wide app is installed on the enterprise
    )


def _find_view(ctx: CallContext) -> View:
    ws = ctx.workspace
    view_id, external_id = ctx.params.text("view_id"), ctx.params.text("external_id")
    if not view_id and not external_id:
        raise invalid_arguments("missing required field: view_id or external_id")
    candidates = [*ws.views.values(), *ws.home_views.values()]
    for view in candidates:
        matches_id = view_id and view.id == view_id
        matches_external = external_id and view.definition.get("external_id") == external_id
        if (matches_id or matches_external) and (view.is_open or view.type == "home"):
            return view
    raise SlackError("not_found")


def _check_hash(ctx: CallContext, view: View) -> None:
    expected = ctx.params.text("hash")
    if expected and expected != view.hash:
        raise SlackError("hash_conflict")


def _hash(ctx: CallContext) -> str:
    return f"{ctx.workspace.epoch()}.{ctx.workspace.ids.secret(8)}"
