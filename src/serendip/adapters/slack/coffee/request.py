"""One `/coffee` invocation as every handler sees it: who asked, the services, and how to answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import Ack, Respond

from serendip.adapters.slack.context import Asker
from serendip.services.deps import Deps

# A Block Kit message payload (what `ack` and `respond` take).
Reply = dict[str, Any]


@dataclass
class CoffeeRequest:
    """Who typed `/coffee`, where, the services to answer with, and the answer channel.

    The first answer acks the command (ephemeral, within Slack's 3 seconds); later answers
    (progress, then the result of a slow command) go to the response_url.
    """

    deps: Deps
    who: Asker
    ack: Ack
    respond: Respond
    acked: bool = field(default=False)

    def answer(self, payload: Reply) -> None:
        """Ack with the payload the first time, then post it to the response_url."""
        if self.acked:
            self.respond(payload)
        else:
            self.acked = True
            self.ack(payload)

    def ack_empty(self) -> None:
        """Ack without a message (a modal opened is the answer)."""
        if not self.acked:
            self.acked = True
            self.ack()


# A handler answers through `request.answer`; the router catches ServiceError and failures.
Handler = Callable[[CoffeeRequest, Any], None]
