"""The member's privacy commands: `/coffee my-data` (forget-me's question is in `member`)."""

from __future__ import annotations

import logging

from serendip.adapters.slack.coffee.request import CoffeeRequest
from serendip.adapters.slack.views import blocks, privacy_blocks
from serendip.domain import commands as cmd
from serendip.services.my_data import export_my_data

log = logging.getLogger(__name__)


def my_data(request: CoffeeRequest, _: cmd.MyData) -> None:
    """`/coffee my-data`: everything stored about the member, as a JSON file in their DM."""
    who = request.who
    request.interim(blocks.reply(privacy_blocks.PREPARING))
    data = export_my_data(request.deps, team_id=who.team_id, user_id=who.user_id)
    upload = privacy_blocks.my_data_file(data)
    error = request.send_file(upload)
    request.answer(privacy_blocks.my_data_reply(error))
