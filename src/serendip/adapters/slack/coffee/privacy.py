"""The member's privacy commands: `/coffee my-data` (forget-me's question is in `member`)."""

from __future__ import annotations

import logging

from serendip.adapters.slack.coffee.request import CoffeeRequest
from serendip.adapters.slack.views import blocks, privacy_blocks
from serendip.domain import commands as cmd
from serendip.services.my_data import export_my_data
from serendip.services.slack_errors import SlackCallFailed

log = logging.getLogger(__name__)


def my_data(request: CoffeeRequest, _: cmd.MyData) -> None:
    """`/coffee my-data`: everything stored about the member, as a JSON file in their DM."""
    who = request.who
    request.answer(blocks.reply(privacy_blocks.PREPARING))
    data = export_my_data(request.deps, team_id=who.team_id, user_id=who.user_id)
    upload = privacy_blocks.my_data_file(data)
    error = None
    try:
        request.deps.gateway.upload_to_user(
            who.user_id,
            content=upload.content,
            filename=upload.filename,
            title=upload.title,
            comment=upload.comment,
        )
    except SlackCallFailed as exc:
        error = exc.reason
        log.warning("member.my_data_upload_failed team=%s user=%s error=%s", who.team_id, who.user_id, error)
    request.answer(privacy_blocks.my_data_reply(error))
