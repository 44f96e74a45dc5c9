"""The WSGI entry point in a checkout: `flask --app app run` or `gunicorn app:app` (portal/wsgi.py)."""

from portal.wsgi import app

__all__ = ["app"]
