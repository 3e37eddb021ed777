"""db layer of Serendip."""
