"""The domain rules in plain Python: no Flask imports, take a Session, never commit."""
