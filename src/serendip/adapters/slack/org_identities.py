"""One person, one id per Enterprise Grid org: workspace-local user ids in payloads become org-wide ones.

A person who was in a workspace before it joined a Grid org keeps a workspace-local id (``U...``)
there, and payloads from that workspace may carry it while others carry the org-wide id (``W...``,
or a ``U...`` id that is global already). Serendip keys people of an org-wide install by the
org-wide id, so every person id entering through a payload of such an install is exchanged once
with ``migration.exchange`` (Tier 2) and the answer is kept in a bounded per-process cache.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from slack_sdk import WebClient

from serendip.adapters.slack.errors import translate
from serendip.services.slack_errors import RateLimited

log = logging.getLogger(__name__)

MAX_PER_CALL = 400  # migration.exchange takes at most 400 ids
# The exchange runs before a command or a click is acknowledged (Slack waits 3 s for that): one
# try, bounded, no waiting out a 429. A failure leaves the ids as they came and is asked again later.
EXCHANGE_TIMEOUT_SECONDS = 2
LOOK_UP_AT_MOST = 5  # users.info calls instead of a rate-limited exchange, per payload
_NOT_MIGRATED = "not_enterprise_team"  # the workspace never had local ids: every id is global


class OrgIdentities:
    """The org-wide id of each person id seen so far, per org; thread-safe.

    Slack's user ids are unique across workspaces, so an id names one person whichever workspace
    of the org it came from: the cache is keyed by (org, id), the workspace only matters to Slack.
    """

    def __init__(self, max_entries: int = 200_000) -> None:
        self._known: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_entries

    def remember(self, enterprise_id: str, local_id: str, global_id: str) -> None:
        """Keep one mapping learnt elsewhere (a user object's ``enterprise_user.id``)."""
        with self._lock:
            self._keep((enterprise_id, local_id), global_id)

    def global_ids(
        self, client: WebClient, enterprise_id: str, team_id: str, user_ids: Iterable[str]
    ) -> dict[str, str]:
        """Map each id to the person's org-wide id; Slack is asked only about ids never seen before.

        A failed exchange keeps the ids as they came (logged, not cached), so the request still runs.
        """
        wanted = list(dict.fromkeys(user_ids))
        found: dict[str, str] = {}
        unknown: list[str] = []
        with self._lock:
            for user_id in wanted:
                cached = self._known.get((enterprise_id, user_id))
                if cached is not None:
                    self._known.move_to_end((enterprise_id, user_id))
                    found[user_id] = cached
                elif _may_be_local(user_id):
                    unknown.append(user_id)
                else:
                    found[user_id] = user_id
        if unknown:
            # One call per payload, whatever it holds: a payload with thousands of ids (a hostile
            # one; Slack's forms pick a few people) must not hold the request for call after call.
            found |= self._exchange(client, enterprise_id, team_id, unknown[:MAX_PER_CALL])
        return {user_id: found.get(user_id, user_id) for user_id in wanted}

    def _exchange(
        self, client: WebClient, enterprise_id: str, team_id: str, local_ids: list[str]
    ) -> dict[str, str]:
        try:
            once = WebClient(
                token=client.token,
                base_url=client.base_url,
                timeout=EXCHANGE_TIMEOUT_SECONDS,
                retry_handlers=[],
            )
            response = once.migration_exchange(users=local_ids, team_id=team_id)
            mapped: dict[str, Any] = dict(response.get("user_id_map") or {})
        except Exception as exc:  # any failure leaves the ids as they came
            error = translate(exc)
            if error.reason != _NOT_MIGRATED:
                log.warning(
                    "identity.exchange_failed team=%s ids=%d error=%s", team_id, len(local_ids), error.reason
                )
                # Over Tier 2's budget (answered at once): users.info (Tier 4) names the org-wide id
                # too, in enterprise_user; worth it for the few ids of one payload.
                return self._look_up(once, enterprise_id, local_ids) if isinstance(error, RateLimited) else {}
            mapped = {}
        answer = {local: str(mapped.get(local) or local) for local in local_ids}
        with self._lock:
            for local, global_id in answer.items():
                self._keep((enterprise_id, local), global_id)
        changed = sum(1 for local, global_id in answer.items() if local != global_id)
        log.info("identity.exchanged team=%s ids=%d mapped=%d", team_id, len(local_ids), changed)
        return answer

    def _look_up(self, client: WebClient, enterprise_id: str, user_ids: list[str]) -> dict[str, str]:
        answer: dict[str, str] = {}
        for user_id in user_ids[:LOOK_UP_AT_MOST]:
            try:
                user = client.users_info(user=user_id)["user"]
            except Exception as exc:  # the id stays as it came
                log.warning("identity.look_up_failed error=%s", translate(exc).reason)
                break
            org_user = user.get("enterprise_user") if isinstance(user, dict) else None
            same_org = isinstance(org_user, dict) and org_user.get("enterprise_id") == enterprise_id
            answer[user_id] = str(org_user.get("id") or user_id) if same_org else user_id  # type: ignore[union-attr]
        with self._lock:
            for user_id, global_id in answer.items():
                self._keep((enterprise_id, user_id), global_id)
        return answer

    def _keep(self, key: tuple[str, str], global_id: str) -> None:
        self._known[key] = global_id
        self._known.move_to_end(key)
        while len(self._known) > self._max:
            self._known.popitem(last=False)


def _may_be_local(user_id: str) -> bool:
    # W ids are org-wide by construction; Slackbot and other non-U ids are nobody's local id.
    return user_id.startswith("U") and user_id != "USLACKBOT"


Slot = tuple[dict[str, Any] | list[Any], Any]  # where a person id sits in a payload: (container, key)
_MENTION = re.compile(r"<@([UW][A-Z0-9]{2,})(?=[|>])")  # `<@U123>` / `<@U123|name>` in a command's text


def map_payload(
    body: dict[str, Any], identities: OrgIdentities, client: WebClient, enterprise_id: str
) -> str:
    """Rewrite every person id of an org-wide install's payload to the org-wide id, in place.

    The ids are the asker (a command's ``user_id``, an interaction's ``user.id``, an event's
    ``user`` and ``inviter``), people @-mentioned in a command's text and people picked in a form
    (``selected_user(s)``). Returns the asker's org-wide id ("" when the payload names nobody).
    """
    _learn(body, identities, enterprise_id)
    team_id = _workspace_of(body)
    slots = [slot for slot in _person_slots(body) if isinstance(slot[0][slot[1]], str) and slot[0][slot[1]]]
    text = body.get("text") if "command" in body else None
    mentioned = _MENTION.findall(text) if isinstance(text, str) else []
    if not team_id or not (slots or mentioned):
        return ""
    mapped = identities.global_ids(client, enterprise_id, team_id, [*(c[k] for c, k in slots), *mentioned])
    for container, key in slots:
        container[key] = mapped[container[key]]
    if mentioned:
        body["text"] = _MENTION.sub(lambda m: "<@" + mapped.get(m.group(1), m.group(1)), str(text))
    if not slots:
        return ""
    first, key = slots[0]
    return str(first[key])


def _learn(body: dict[str, Any], identities: OrgIdentities, enterprise_id: str) -> None:
    # A user object (user_change) names both ids: nothing to ask Slack about that person later.
    event = body.get("event")
    user = event.get("user") if isinstance(event, dict) else None
    org_user = user.get("enterprise_user") if isinstance(user, dict) else None
    if isinstance(org_user, dict) and org_user.get("enterprise_id") == enterprise_id:
        local, global_id = user.get("id"), org_user.get("id")  # type: ignore[union-attr]
        if isinstance(local, str) and isinstance(global_id, str) and local and global_id:
            identities.remember(enterprise_id, local, global_id)


def _workspace_of(body: dict[str, Any]) -> str:
    event, user, team = body.get("event"), body.get("user"), body.get("team")
    candidates = [
        event.get("team") if isinstance(event, dict) else None,
        user.get("team_id") if isinstance(user, dict) else None,
        team.get("id") if isinstance(team, dict) else None,
        body.get("team_id"),
    ]
    return next((c for c in candidates if isinstance(c, str) and c.startswith("T")), "")


def _person_slots(body: dict[str, Any]) -> list[Slot]:
    slots: list[Slot] = []
    if "command" in body and "user_id" in body:
        slots.append((body, "user_id"))
    user = body.get("user")
    if isinstance(user, dict) and "id" in user:
        slots.append((user, "id"))
    event = body.get("event")
    if isinstance(event, dict):
        slots += [(event, key) for key in ("user", "inviter") if key in event]
    view = body.get("view")
    for state in (body.get("state"), view.get("state") if isinstance(view, dict) else None):
        values = state.get("values") if isinstance(state, dict) else None
        for block in values.values() if isinstance(values, dict) else ():
            for entry in block.values() if isinstance(block, dict) else ():
                slots += _picked(entry)
    return slots


def _picked(entry: object) -> list[Slot]:
    if not isinstance(entry, dict):
        return []
    slots: list[Slot] = [(entry, "selected_user")] if "selected_user" in entry else []
    picked = entry.get("selected_users")
    if isinstance(picked, list):
        slots += [(picked, index) for index in range(len(picked))]
    return slots
