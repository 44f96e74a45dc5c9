.PHONY: run test setup lint bench package-check smoke
run:  ## set up, load demo data, serve on http://127.0.0.1:5000
	scripts/run.sh
test:  ## set up and run the whole suite (SQLite + PostgreSQL + browser)
	scripts/test.sh
setup:
	scripts/setup.sh --test
package-check:  ## build the wheel, install it in a fresh virtualenv and serve the sign-in page from it
	scripts/package_check.sh
lint:
	.venv/bin/ruff check . && .venv/bin/mypy
bench:  ## build 1,000- and 10,000-agency partnerships and print every benchmark figure
	scripts/bench.sh
smoke:  ## the production shape over HTTPS: nginx, gunicorn, PostgreSQL, Redis, the mail worker, Chromium
	scripts/smoke.sh
