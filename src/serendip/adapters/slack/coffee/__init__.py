"""`/coffee`: the router (one table from parsed command to handler) and the handlers, by topic."""
