"""One `/coffee` invocation as every handler sees it: who asked, the services, and how to answer."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import Ack, Respond

from serendip.adapters.slack.context import Asker
from serendip.adapters.slack.views.report_blocks import Upload
from serendip.observability import metrics
from serendip.services.deps import Deps
from serendip.services.slack_errors import SlackCallFailed

log = logging.getLogger(__name__)

# A Block Kit message payload (what `ack` and `respond` take).
Reply = dict[str, Any]


@dataclass
class CoffeeRequest:
    """Who typed `/coffee`, where, the services to answer with, and the answer channel.

    The first answer acks the command (ephemeral, within Slack's 3 seconds); later answers
    (progress, then the result of a slow command) go to the response_url. Answers may come from
    two threads (the handler and the ack deadline): exactly one of them acks.
    """

    deps: Deps
    who: Asker
    ack: Ack
    respond: Respond
    acked: bool = field(default=False)
    # When the router got the command (monotonic seconds), for the ack-latency histogram.
    received_at: float = field(default_factory=time.monotonic)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def _ack_first(self, payload: Reply | None) -> bool:
        """Ack (with ``payload``, or empty) if nobody has; whether this call acked.

        The ack is made under the lock, so a caller that finds the command acked goes on (to the
        response_url, or out of the listener) only once that ack is set."""
        with self._lock:
            if self.acked:
                return False
            self.acked = True
            if payload is None:
                self.ack()
            else:
                self.ack(payload)
        self._acked()
        return True

    def answer(self, payload: Reply) -> None:
        """Ack with the payload the first time, then post it to the response_url."""
        if not self._ack_first(payload):
            self.respond(payload)

    def interim(self, payload: Reply) -> None:
        """A "working on it" line before a slow answer: the ack, or nothing when the router's deadline
        has acked one already (the next message the person sees is then the answer itself)."""
        self._ack_first(payload)

    def ack_empty(self, late: Reply) -> None:
        """Ack without a message (a modal opened is the answer); when the router's deadline has acked
        "working on it, I'll answer here" already, ``late`` keeps that promise at the response_url."""
        if not self._ack_first(None):
            self.respond(late)

    def ack_if_silent(self, payload: Reply) -> bool:
        """Ack with the payload unless something already acked; whether this call acked."""
        return self._ack_first(payload)

    def _acked(self) -> None:
        metrics.command_acked(time.monotonic() - self.received_at)

    @contextmanager
    def deadline(self, seconds: float, payload: Reply, on_late: Callable[[], None]) -> Iterator[None]:
        """Ack with ``payload`` if the block has not answered within ``seconds`` (Slack waits 3).

        The block keeps running; its answer then goes to the response_url. ``on_late`` runs when the
        deadline acked (for the log).
        """

        def expire() -> None:
            if self.ack_if_silent(payload):
                on_late()

        timer = threading.Timer(seconds, expire)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()

    def send_file(self, upload: Upload) -> str | None:
        """Send a file to the asker's DM; None when done, else Slack's error code."""
        who = self.who
        try:
            self.deps.gateway.upload_to_user(
                who.user_id,
                content=upload.content,
                filename=upload.filename,
                title=upload.title,
                comment=upload.comment,
            )
        except SlackCallFailed as exc:
            log.warning(
                "coffee.upload_failed team=%s user=%s file=%s error=%s",
                who.team_id,
                who.user_id,
                upload.filename,
                exc.reason,
            )
            return exc.reason
        return None


# A handler answers through `request.answer`; the router catches ServiceError and failures.
Handler = Callable[[CoffeeRequest, Any], None]
