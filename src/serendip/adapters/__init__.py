"""adapters layer of Serendip."""
