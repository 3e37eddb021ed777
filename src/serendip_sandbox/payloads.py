"""The payloads Slack sends an app: slash commands, interactions and Events API envelopes."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Mapping
from typing import Any

from serendip_sandbox.emulator import SlackEmulator
from serendip_sandbox.models import JsonDict, Team
from serendip_sandbox.records import Ephemeral
from serendip_sandbox.responses import issue_response_url
from serendip_sandbox.state_values import build_state, element_state, find_element
from serendip_sandbox.workspace import Workspace

Values = Mapping[str, Mapping[str, Any]]


class Payloads:
    """Builds payloads with real Slack shapes; trigger_ids and response_urls are live in the emulator.

    They come from ``team`` of ``workspace`` (default: the emulator's primary workspace); a Grid
    org's payloads carry its ``enterprise`` and ``is_enterprise_install`` (the app is org-wide).
    """

    def __init__(
        self, emulator: SlackEmulator, workspace: Workspace | None = None, team: Team | None = None
    ) -> None:
        self.emulator = emulator
        self.ws = workspace or emulator.workspace
        self.team = team or self.ws.team
        self.org = self.ws.enterprise

    def user_ref(self, user_id: str) -> JsonDict:
        """The ``user`` object of interaction payloads (a Grid member's local id stays as given)."""
        user = self.ws.user(user_id)
        return {"id": user_id, "username": user.name, "name": user.name, "team_id": self.team.id}

    def _common(self, kind: str, user_id: str) -> JsonDict:
        team: JsonDict = {"id": self.team.id, "domain": self.team.domain}
        if self.org is not None:
            team.update(enterprise_id=self.org.id, enterprise_name=self.org.name)
        return {
            "type": kind,
            "user": self.user_ref(user_id),
            "api_app_id": self.ws.app_id,
            "token": self.ws.verification_token,
            "team": team,
            "enterprise": {"id": self.org.id, "name": self.org.name} if self.org else None,
            "is_enterprise_install": self.org is not None,
        }

    def _response_url(
        self,
        user_id: str,
        channel_id: str,
        kind: str,
        *,
        message_ts: str | None = None,
        message_is_ephemeral: bool = False,
    ) -> str:
        return issue_response_url(
            self.ws,
            self.emulator.base_url,
            user_id=user_id,
            channel_id=channel_id,
            kind=kind,
            message_ts=message_ts,
            message_is_ephemeral=message_is_ephemeral,
        )

    def slash_command(
        self, user_id: str, text: str, *, channel_id: str | None, command: str
    ) -> dict[str, str]:
        """Form fields of a slash command invocation (``channel_id`` None → the user's DM with the app)."""
        channel = (
            self.ws.conversations[channel_id]
            if channel_id
            else self.ws.open_dm([self.ws.global_id(user_id)])[0]
        )
        channel_name = {"im": "directmessage"}.get(channel.kind, channel.name)
        form = {"token": self.ws.verification_token, "team_id": self.team.id, "team_domain": self.team.domain}
        if self.org is not None:
            form.update(enterprise_id=self.org.id, enterprise_name=self.org.name)
        return form | {
            "channel_id": channel.id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": self.ws.user(user_id).name,
            "command": command,
            "text": text,
            "api_app_id": self.ws.app_id,
            "is_enterprise_install": "true" if self.org else "false",
            "response_url": self._response_url(user_id, channel.id, "slash_command"),
            "trigger_id": self.ws.issue_trigger(user_id),
        }

    def block_actions(
        self,
        user_id: str,
        action_id: str,
        value: Any,
        *,
        channel_id: str | None = None,
        message: JsonDict | Ephemeral | None = None,
        view: JsonDict | None = None,
        block_id: str | None = None,
        values: Values | None = None,
    ) -> JsonDict:
        """A ``block_actions`` payload for clicking/choosing ``action_id`` in a message or a view."""
        payload = self._common("block_actions", user_id)
        payload["trigger_id"] = self.ws.issue_trigger(user_id)
        blocks: list[JsonDict] = []
        if view is not None:
            current = self._current_view(view)
            blocks = current["blocks"]
            current["state"] = {"values": build_state(blocks, values)}
            payload.update(
                container={"type": "view", "view_id": current["id"]}, view=current, state=current["state"]
            )
        elif message is not None:
            blocks = self._message_context(payload, user_id, message, channel_id)
        payload["actions"] = [self._action(blocks, action_id, value, block_id)]
        return payload

    def _message_context(
        self, payload: JsonDict, user_id: str, message: JsonDict | Ephemeral, channel_id: str | None
    ) -> list[JsonDict]:
        ephemeral = isinstance(message, Ephemeral)
        ts = message.ts if isinstance(message, Ephemeral) else str(message["ts"])
        channel = message.channel if isinstance(message, Ephemeral) else channel_id or self._channel_of(ts)
        conversation = self.ws.conversations[channel]
        payload.update(
            container={"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": ephemeral},
            channel={"id": channel, "name": conversation.name or "directmessage"},
            state={"values": {}},
            response_url=self._response_url(
                user_id, channel, "block_actions", message_ts=ts, message_is_ephemeral=ephemeral
            ),
        )
        if isinstance(message, Ephemeral):
            return list(message.blocks or [])
        payload["message"] = copy.deepcopy(message)
        return list(message.get("blocks") or [])

    def _channel_of(self, ts: str) -> str:
        with self.ws.lock:
            for conversation in self.ws.conversations.values():
                if conversation.find(ts) is not None:
                    return conversation.id
        raise ValueError(f"no message with ts {ts}; pass channel_id")

    def _action(self, blocks: list[JsonDict], action_id: str, value: Any, block_id: str | None) -> JsonDict:
        found = find_element(blocks, action_id)
        element: JsonDict = found[1] if found else {"type": "button"}
        action: JsonDict = {
            "action_id": action_id,
            "block_id": block_id or (found[0] if found else "actions"),
            "type": element.get("type", "button"),
            "action_ts": self.ws.new_ts(),
        }
        if action["type"] == "button":
            action.update(
                text=copy.deepcopy(element.get("text") or {"type": "plain_text", "text": str(value)}),
                value=value,
            )
            if "style" in element:
                action["style"] = element["style"]
        else:
            state = element_state(element, value)
            action.update({key: item for key, item in state.items() if key != "type"})
        return action

    def view_submission(self, user_id: str, view: JsonDict, values: Values | None = None) -> JsonDict:
        """A ``view_submission`` payload with ``state.values`` built from ``values``."""
        payload = self._common("view_submission", user_id)
        current = self._current_view(view)
        current["state"] = {"values": build_state(current["blocks"], values)}
        payload.update(trigger_id=self.ws.issue_trigger(user_id), view=current, response_urls=[])
        return payload

    def view_closed(self, user_id: str, view: JsonDict) -> JsonDict:
        """A ``view_closed`` payload (sent only when the modal set ``notify_on_close``)."""
        payload = self._common("view_closed", user_id)
        payload.update(view=self._current_view(view), is_cleared=False)
        return payload

    def block_suggestion(
        self, user_id: str, action_id: str, value: str, view: JsonDict, block_id: str | None = None
    ) -> JsonDict:
        """A ``block_suggestion`` payload: the user typed ``value`` into an external select."""
        payload = self._common("block_suggestion", user_id)
        current = self._current_view(view)
        found = find_element(current["blocks"], action_id)
        payload.update(
            container={"type": "view", "view_id": current["id"]},
            action_id=action_id,
            block_id=block_id or (found[0] if found else ""),
            value=value,
            view=current,
        )
        return payload

    def _current_view(self, view: JsonDict) -> JsonDict:
        with self.ws.lock:
            stored = self.ws.views.get(view["id"]) or next(
                (v for v in self.ws.home_views.values() if v.id == view["id"]), None
            )
            return stored.to_slack() if stored else copy.deepcopy(view)

    def event_callback(self, event: JsonDict) -> JsonDict:
        """Wrap an event in the Events API ``event_callback`` envelope (with ``authorizations``)."""
        event = dict(event)
        event.setdefault("event_ts", self.ws.new_ts())
        org_id = self.org.id if self.org else None
        ids = {"tid": self.team.id, "aid": self.ws.app_id} | ({"eid": org_id} if org_id else {})
        context = base64.b64encode(json.dumps(ids).encode()).decode()
        envelope: JsonDict = {"token": self.ws.verification_token, "team_id": self.team.id}
        if org_id:
            envelope["enterprise_id"] = org_id
        return envelope | {
            "context_team_id": self.team.id,
            "context_enterprise_id": org_id,
            "api_app_id": self.ws.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": self.ws.ids.new("Ev"),
            "event_time": self.ws.epoch(),
            "authorizations": [
                {
                    "enterprise_id": org_id,
                    # An org-wide install is the org's, not one workspace's: Slack sends team_id null.
                    "team_id": None if org_id else self.team.id,
                    "user_id": self.ws.bot.id,
                    "is_bot": True,
                    "is_enterprise_install": org_id is not None,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-{context}",
        }

    def lifecycle_envelope(self, event: JsonDict) -> JsonDict:
        """The bare envelope of app_uninstalled, tokens_revoked and team_access_revoked (no
        ``authorizations``): ``team_id`` for a workspace, ``enterprise_id`` for an org-wide install."""
        envelope: JsonDict = {"token": self.ws.verification_token}
        if self.org is not None:
            envelope.update(team_id=None, enterprise_id=self.org.id)
        else:
            envelope["team_id"] = self.team.id
        return envelope | {
            "api_app_id": self.ws.app_id,
            "event": dict(event),
            "type": "event_callback",
            "event_id": self.ws.ids.new("Ev"),
            "event_time": self.ws.epoch(),
        }

    def url_verification(self, challenge: str) -> JsonDict:
        """The one-time ``url_verification`` request Slack sends when the Request URL is saved."""
        return {"token": self.ws.verification_token, "challenge": challenge, "type": "url_verification"}
