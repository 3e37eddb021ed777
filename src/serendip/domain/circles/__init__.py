"""The circles engine: pure functions from a season's participants to topic circles."""
