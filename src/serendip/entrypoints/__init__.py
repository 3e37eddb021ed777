"""entrypoints layer of Serendip."""
