"""The app as production runs it, for the HTTP benchmark: CSRF, sessions and templates as in
production; rate limits off (the benchmark's clients all come from 127.0.0.1) and no HTTPS redirect
(it speaks plain HTTP on the loopback)."""

from portal import create_app

app = create_app("production", RATELIMIT_ENABLED=False, FORCE_HTTPS=False)
