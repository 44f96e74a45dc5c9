"""gunicorn reads this file from the working folder: hide the server's name and version."""

import gunicorn.http.wsgi

gunicorn.http.wsgi.SERVER = ""  # responses said "Server: gunicorn"; now the header is empty
