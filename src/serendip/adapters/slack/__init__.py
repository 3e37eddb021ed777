"""slack layer of Serendip."""
