"""sandbox layer of Serendip."""
