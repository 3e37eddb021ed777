"""`/coffee my-data`: the file sent to the member's DM and the reply saying where it went."""

from __future__ import annotations

from typing import Any

from serendip.adapters.slack.views.blocks import reply
from serendip.adapters.slack.views.report_blocks import Upload
from serendip.services.my_data import MyData

PREPARING = ":outbox_tray: Gathering everything Serendip stores about you…"


def my_data_file(data: MyData) -> Upload:
    """The JSON document as a file named after the day."""
    return Upload(
        data.json.encode(),
        f"serendip-my-data-{data.made_on:%Y-%m-%d}.json",
        "Everything Serendip stores about you",
        "Your profile, tags, programs, intros, asks, admin roles and audit entries, as stored today. "
        "`/coffee forget-me` deletes all of it.",
    )


def my_data_reply(error: str | None) -> dict[str, Any]:
    """Said once the file was sent, or why it could not be."""
    return reply(
        ":white_check_mark: The file with everything Serendip stores about you is in your DM with Serendip."
        if error is None
        else f":warning: I couldn't send your data to your DM (Slack said `{error}`). Please try again."
    )
