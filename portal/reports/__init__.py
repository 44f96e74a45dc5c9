"""Report data (pure) and reportlab rendering (pure: data -> bytes)."""
