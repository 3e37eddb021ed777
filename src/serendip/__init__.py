"""Serendip: serendipitous cross-team introductions on Slack."""

__version__ = "0.1.0"
