"""The WSGI entry point: `flask --app app run` or `gunicorn app:app`."""

import gc

from portal import create_app

app = create_app()
gc.freeze()  # what start-up made lives as long as the process: later collections skip it
