"""Reports: data computed in the database (pure functions returning dataclasses) and renderers
(pure functions from that data to bytes)."""
