"""services layer of Serendip."""
