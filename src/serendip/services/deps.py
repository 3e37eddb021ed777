"""What every use case is given: settings, the database and the Slack port (built by `bootstrap`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from serendip.adapters.db.engine import Database
from serendip.config import Settings
from serendip.services.first_read import FirstProfileReader
from serendip.services.lifecycle.deliver import DeliveryPolicy
from serendip.services.lifecycle.plan_worker import Planner
from serendip.services.ports import IntroPublisher, Slack


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
