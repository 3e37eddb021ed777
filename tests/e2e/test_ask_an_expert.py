"""Ask an expert end to end: signed `/coffee ask`, "Introduce me", and the expert's answer."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from serendip.adapters.db.models import ExpertAsk
from tests.conftest import SQLITE_ONLY
from tests.e2e.conftest import Sandbox
from tests.support.wait import eventually


def _person(sb: Sandbox, user: str, team: str, expertise: str | None = None) -> None:
    sb.driver.slash_command(user, f"team {team}")
    if expertise:
        sb.driver.slash_command(user, f"expertise add {expertise}")


def _world(sb: Sandbox) -> tuple[str, str, str]:
    """A program with an asker in Sales, a Kubernetes expert in Platform and one in Sales."""
    asker, expert, colleague = sb.humans[4], sb.humans[1], sb.humans[3]
    sb.without_slack_department(asker, expert, colleague, sb.humans[2])
    result = sb.driver.slash_command(sb.humans[0], "admin setup", channel_id=sb.channel)
    result.wait_for_responses(1, timeout=20)
    _person(sb, expert, "Platform", "kubernetes, go")
    _person(sb, colleague, "Sales", "kubernetes")
    _person(sb, sb.humans[2], "Data", "python")
    _person(sb, asker, "Sales")
    return asker, expert, colleague


def _buttons(blocks: list[dict[str, Any]], action_id: str) -> list[dict[str, Any]]:
    found = [b.get("accessory") for b in blocks] + [e for b in blocks for e in b.get("elements", [])]
    return [e for e in found if isinstance(e, dict) and e.get("action_id") == action_id]


def _dm(sb: Sandbox, user: str, count: int) -> list[dict[str, Any]]:
    dm = sb.slack.wait_until(lambda ws: ws.dm_with(user), 10)
    return sb.slack.wait_for_messages(dm.id, count, timeout=10)


def test_asking_finds_an_expert_in_another_team_and_accept_opens_a_group_dm(sandbox: Sandbox) -> None:
    asker, expert, colleague = _world(sandbox)
    asked = sandbox.driver.slash_command(asker, "ask kube", channel_id=sandbox.channel)
    assert asked.json["response_type"] == "ephemeral"
    cards = _buttons(asked.json["blocks"], "ask_introduce")
    assert (
        len(cards) == 1 and f"<@{expert}>" in str(asked.json["blocks"]) and colleague not in str(asked.json)
    )
    assert "`kubernetes`" in str(asked.json["blocks"])
    sandbox.driver.block_action(asker, "ask_introduce", cards[0]["value"], message=asked.seen()[-1])
    sandbox.slack.wait_until(
        lambda ws: any("I've asked" in str(e.text) for e in ws.ephemerals if e.user == asker), 10
    )
    dm = _dm(sandbox, expert, 2)[-1]
    [accept] = _buttons(dm["blocks"], "ask_accept")
    assert "kube" in dm["blocks"][0]["text"]["text"]
    sandbox.driver.block_action(expert, "ask_accept", accept["value"], message=dm)
    group = sandbox.slack.wait_until(lambda ws: [c for c in ws.mpims() if c.messages], 10)[0]
    assert set(group.members) >= {asker, expert}
    intro = sandbox.slack.messages(group.id)[0]
    assert "meet" in intro["text"] and f"<@{expert}>" in str(intro["blocks"])

    def recorded(_: object) -> bool:
        with sandbox.bot.container.db.transaction() as session:
            ask = session.scalars(select(ExpertAsk).where(ExpertAsk.state == "accepted")).one()
            return ask.conversation_id == group.id and ask.answered_at is not None

    eventually(lambda: recorded(None))
    again = sandbox.driver.block_action(expert, "ask_accept", accept["value"], message=dm)
    assert again.status == 200
    sandbox.slack.wait_until(lambda ws: any("already answered" in str(e.text) for e in ws.ephemerals), 10)
    assert len(sandbox.slack.group_dms()) == 1


@SQLITE_ONLY  # texts and who is offered; the accept test in this module stores on both engines
def test_not_now_tells_the_asker_kindly(sandbox: Sandbox) -> None:
    asker, expert, _ = _world(sandbox)
    asked = sandbox.driver.slash_command(asker, "ask kubernetes")
    [card] = _buttons(asked.json["blocks"], "ask_introduce")
    sandbox.driver.block_action(asker, "ask_introduce", card["value"], message=asked.seen()[-1])
    dm = _dm(sandbox, expert, 2)[-1]
    [decline] = _buttons(dm["blocks"], "ask_decline")
    sandbox.driver.block_action(expert, "ask_decline", decline["value"], message=dm)
    note = sandbox.slack.wait_until(
        lambda ws: [
            m for m in (ws.dm_with(asker).messages if ws.dm_with(asker) else []) if "can't help" in m.text
        ],
        10,
    )
    assert note and not sandbox.slack.group_dms()


@SQLITE_ONLY  # texts and who is offered; the accept test in this module stores on both engines
def test_no_match_suggests_the_closest_existing_tags(sandbox: Sandbox) -> None:
    asker, _, _ = _world(sandbox)
    reply = sandbox.driver.slash_command(asker, "ask pythn programming")
    assert _buttons(reply.json["blocks"], "ask_introduce")
    nothing = sandbox.driver.slash_command(asker, "ask gardening")
    text = str(nothing.json["blocks"])
    assert "Nobody in another team has tagged *gardening*" in text and "Closest tags" in text


@SQLITE_ONLY  # texts and who is offered; the accept test in this module stores on both engines
def test_asks_off_stops_someone_being_offered(sandbox: Sandbox) -> None:
    asker, expert, _ = _world(sandbox)
    sandbox.driver.slash_command(expert, "asks off")
    reply = sandbox.driver.slash_command(asker, "ask kubernetes")
    assert not _buttons(reply.json["blocks"], "ask_introduce") and expert not in str(reply.json)
