"""domain layer of Serendip."""
