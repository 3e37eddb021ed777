"""Metrics, health and the small listener that serves them where no HTTP server runs."""
