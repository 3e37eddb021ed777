"""db layer of Serendip."""

# The circles tables extend the schema in models.py; importing them with the package keeps
# `Base.metadata` (migrations, create_all, the models-vs-migrations test) complete.
from serendip.adapters.db import circle_models as circle_models
