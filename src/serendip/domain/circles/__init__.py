"""The circles engine: pure functions from a season's participants to topic circles."""

from serendip.domain.circles.check import check_circles
from serendip.domain.circles.engine import form_circles

__all__ = ["check_circles", "form_circles"]
