"""`/coffee admin stats` and `export`: progress notes, the files sent to the admin's DM, and the replies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from serendip.adapters.slack.views.blocks import reply
from serendip.domain.plural import plural
from serendip.services.program_reports import IntroExport, StatsReport

CRUNCHING = ":bar_chart: Crunching the numbers…"
PREPARING = ":outbox_tray: Preparing the export…"


@dataclass(frozen=True)
class Upload:
    """A file for the admin's DM."""

    content: bytes
    filename: str
    title: str
    comment: str


def stats_chart(report: StatsReport) -> Upload:
    """The chart (department heat-map and cross-team ties over rounds) as a PNG file."""
    from serendip.adapters.slack.views import charts  # matplotlib loads only when a chart is drawn

    title = f"Serendip network in #{report.name}"
    return Upload(
        charts.render_png(report.stats, title=title),
        f"serendip-{report.name}-stats.png",
        title,
        f"Ties between departments and cross-team ties over rounds in <#{report.stats.channel_id}>.",
    )


def chart_note(error: str | None) -> str:
    """Where the chart went: the DM, or Slack's reason it could not be sent."""
    if error is None:
        return (
            ":frame_with_picture: The chart (department heat-map and cross-team ties over rounds) is in "
            "your DM with Serendip."
        )
    return f":warning: I couldn't send the chart to your DM (Slack said `{error}`); the figures are above."


def export_file(export: IntroExport, channel_id: str) -> Upload:
    """The CSV as a file named after the channel and the day."""
    return Upload(
        export.csv.encode(),
        f"serendip-{export.name}-{export.made_on:%Y-%m-%d}.csv",
        f"Serendip intros in #{export.name}",
        f"Every delivered intro in <#{channel_id}>: round date, member, department, "
        "intro and answer. No private notes.",
    )


def export_reply(rows: int, error: str | None) -> dict[str, Any]:
    """Said once the CSV was sent, or why it could not be."""
    return reply(
        f":white_check_mark: Sent a CSV with {plural(rows, 'row')} to your DM with Serendip."
        if error is None
        else f":warning: I couldn't send the export to your DM (Slack said `{error}`). Please try again."
    )
