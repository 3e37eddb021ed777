"""What every use case is given: settings, the database and the Slack port (built by `bootstrap`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from serendip.adapters.db.engine import Database
from serendip.config import Settings
from serendip.services.background import BackgroundWork
from serendip.services.first_read import FirstProfileReader
from serendip.services.lifecycle.deliver import DeliveryPolicy
from serendip.services.lifecycle.plan_worker import Planner
from serendip.services.ports import IntroPublisher, Slack

# A stopping process waits this long for its deliveries (one Slack call each) to hand their rounds back.
STOP_SECONDS = 15.0


@dataclass
class Deps:
    """The dependencies of the services, built once per process."""

    settings: Settings
    db: Database
    gateway: Slack
    # Round delivery's own port (single-attempt calls, so delivery can check its lease between tries).
    publisher: IntroPublisher
    # Reads a newly seen member's Slack profile in the background (never on the ack path).
    first_read: FirstProfileReader | None = None
    # Plans and previews large rounds in a worker process, so request threads keep the interpreter.
    planner: Planner = field(default_factory=Planner)
    # How `admin run` delivers in the background (Slack's Tier-3 budget; tests may scale its minute).
    delivery_policy: DeliveryPolicy = field(default_factory=DeliveryPolicy)
    # The threads that delivery runs on, so a stopping process waits for them to give their leases up.
    background: BackgroundWork = field(default_factory=BackgroundWork)

    def stop_background_work(self, timeout: float = STOP_SECONDS) -> bool:
        """Stop `admin run` deliveries after the intro in hand (their leases given up) and wait up to
        ``timeout`` seconds for them; whether they all ended."""
        self.delivery_policy.stop()
        return self.background.wait(timeout)
