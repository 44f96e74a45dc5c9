"""The WSGI entry point, in a checkout (through app.py) or installed from the wheel:
`gunicorn portal.wsgi:app`, `flask --app portal.wsgi db upgrade`."""

import gc

from portal import create_app

app = create_app()
gc.freeze()  # what start-up made lives as long as the process: later collections skip it
