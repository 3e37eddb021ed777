"""Block Kit builders: pure functions from service results to Slack messages, modals and views."""
