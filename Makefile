# Sciaticare: `make run` serves the demo, `make test` runs every check. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
CHROMIUM ?= /usr/bin/chromium
PORT ?= 8000
# The demo's card processor (localstripe, a dev dependency): this port, or a free one if taken.
STRIPE_PORT ?= 8420
# The demo's CalDAV server (Radicale, a dev dependency) for Daniel's own calendar: this port,
# or a free one if taken.
CALDAV_PORT ?= 5232
CALDAV_DEMO = --user daniel --password daniel-calendar-demo

# The first Python 3.12+ on the PATH (.python-version selects 3.13 under pyenv).
PYTHON := $(shell for p in python3.13 python3.12 python3 python; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; \
	then echo $$p; break; fi; done)

RUN_ENV = SECRET_KEY="$$(cat var/secret_key)" DEBUG=0 HTTPS=0 STAFF_MFA_REQUIRED=0 \
	SITE_URL=http://127.0.0.1:$(PORT) SMS_BACKEND=console INTEGRATIONS_ALLOW_PRIVATE_ADDRESSES=1 \
	VAPID_PUBLIC_KEY="$$(sed -n 's/^VAPID_PUBLIC_KEY=//p' var/vapid.env 2>/dev/null)" \
	VAPID_PRIVATE_KEY="$$(sed -n 's/^VAPID_PRIVATE_KEY=//p' var/vapid.env 2>/dev/null)"
# The demo's keys for the local card processor (not Stripe's: no real money). The Makefile
# exports them, with STRIPE_API_BASE and STRIPE_JS_URL, once localstripe answers.
DEMO_STRIPE_KEYS = STRIPE_SECRET_KEY=sk_test_sciaticare_demo \
	STRIPE_PUBLISHABLE_KEY=pk_test_sciaticare_demo STRIPE_WEBHOOK_SECRET=whsec_sciaticare_demo
TEST_ENV = SECRET_KEY=test-only-not-a-secret

.PHONY: help run test test-slow lint typecheck browser gettext messages clean bench lighthouse

help:
	@echo "make run    set up and serve the demo at http://127.0.0.1:$(PORT) (PORT=8001 make run for another port)"
	@echo "make test   lint, type-check and run every test"

$(VENV)/.installed: pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
		echo "Sciaticare needs Python 3.12 or newer, and none was found on the PATH."; \
		echo "Install one (e.g. 'apt-get install python3.12', or 'pyenv install 3.13'), then run make again."; \
		exit 1; fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

var/secret_key: | $(VENV)/.installed
	@mkdir -p var
	@$(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))' > $@
	@chmod 600 $@

# The demo's Web Push key pair, made once and kept (a new pair would silence subscribed browsers).
var/vapid.env: | var/secret_key
	@$(RUN_ENV) $(MANAGE) make_vapid_keys > $@.tmp && chmod 600 $@.tmp && mv $@.tmp $@

run: $(VENV)/.installed var/secret_key var/vapid.env
	@$(RUN_ENV) $(MANAGE) migrate --noinput -v0
	@$(RUN_ENV) $(MANAGE) createcachetable
	@$(RUN_ENV) $(MANAGE) collectstatic --noinput -v0
	@# The local card processor keeps its store in var/ beside the database; stopped with the server.
	@rm -f var/localstripe.port; \
	$(BIN)/python -P src/sciaticare/billing/local_processor.py --port $(STRIPE_PORT) \
		--store var/localstripe.pickle --port-file var/localstripe.port >var/localstripe.log 2>&1 & stripe=$$!; \
	rm -f var/radicale.port; \
	$(BIN)/python -P src/sciaticare/integrations/local_calendars.py --folder var/radicale \
		--port $(CALDAV_PORT) --port-file var/radicale.port $(CALDAV_DEMO) >var/radicale.log 2>&1 & radicale=$$!; \
	trap 'kill $$stripe $$radicale $$reader $$worker 2>/dev/null' EXIT INT TERM; \
	for i in $$(seq 100); do [ -s var/localstripe.port ] && break; kill -0 $$stripe 2>/dev/null || break; sleep 0.1; done; \
	if [ -s var/localstripe.port ]; then \
		stripe_url="http://127.0.0.1:$$(cat var/localstripe.port)"; \
		export $(DEMO_STRIPE_KEYS) STRIPE_API_BASE=$$stripe_url STRIPE_JS_URL=$$stripe_url/js.stripe.com/v3/; \
		payments="Card payments go to a local Stripe-compatible server at $$stripe_url (no real money): test card 4242 4242 4242 4242."; \
	else \
		payments="Card payments are OFF: the local card processor (localstripe) did not start (var/localstripe.log); clinics are paid at the desk."; \
	fi; \
	$(RUN_ENV) $(MANAGE) seed_demo || exit 1; \
	caldav_port=$$(cat var/radicale.port 2>/dev/null); \
	for i in $$(seq 100); do [ -n "$$caldav_port" ] && (exec 3<>/dev/tcp/127.0.0.1/$$caldav_port) 2>/dev/null && break; \
		kill -0 $$radicale 2>/dev/null || break; sleep 0.1; caldav_port=$$(cat var/radicale.port 2>/dev/null); done; \
	if [ -n "$$caldav_port" ] && kill -0 $$radicale 2>/dev/null && \
		calendar=$$($(RUN_ENV) $(MANAGE) demo_calendar --server http://127.0.0.1:$$caldav_port/ $(CALDAV_DEMO) 2>&1); then \
		calendar="Therapist's own calendar (CalDAV): $$calendar"; \
	else \
		calendar="Therapist's own calendar is OFF: the local CalDAV server (Radicale) did not start (var/radicale.log). $$calendar"; \
	fi; \
	echo; \
	echo "Sciaticare demo at http://127.0.0.1:$(PORT) (Ctrl-C stops it). Demo logins, password sciatica-demo-2026:"; \
	echo "  patient@example.com    a person with sciatica"; \
	echo "  therapist@example.com  a massage therapist"; \
	echo "  clinic@example.com     a clinic admin"; \
	echo "  admin@example.com      a site admin (also /admin/)"; \
	echo "Mail (sign-up links, reminders, receipts) and text messages are printed here. Two-factor for staff is off in this demo."; \
	echo "Notifications: /reminders/ turns them on in a browser that reaches its push service (Chrome, Firefox)."; \
	echo "$$payments"; \
	echo "$$calendar"; \
	echo; \
	$(RUN_ENV) $(MANAGE) db_worker & worker=$$!; \
	if [ -n "$$caldav_port" ]; then \
		(while sleep 120; do $(RUN_ENV) $(MANAGE) read_calendars >/dev/null 2>&1; done) & reader=$$!; \
	fi; \
	$(RUN_ENV) SCIATICARE_PROCESS=web $(MANAGE) runserver --noreload 127.0.0.1:$(PORT)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTHONPATH=src $(BIN)/lint-imports  # the order of apps and rooms (pyproject.toml, docs/architecture.md)
	$(BIN)/bandit -r src -lll -q  # fails on any high-severity finding (docs/security.md)

typecheck: $(VENV)/.installed
	$(TEST_ENV) $(BIN)/mypy src bench

# Browser tests drive Debian's Chromium; install it when we can, or say how.
browser:
	@if [ ! -x "$(CHROMIUM)" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else echo "Browser tests need Chromium at $(CHROMIUM): sudo apt-get install chromium"; exit 1; fi; fi

# The translation tests compare each catalogue with what the code marks (xgettext).
gettext:
	@if ! command -v xgettext >/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; \
		else echo "The translation tests need GNU gettext: sudo apt-get install gettext"; exit 1; fi; fi

# Every app's catalogue (docs/i18n.md): new marked words are added, untranslated, to each
# language's .po; translate them there, then compile (the .mo files are committed, so that
# `make run` needs no gettext).
WORDS_APPS ?= $(sort $(notdir $(patsubst %/,%,$(dir $(wildcard src/sciaticare/*/locale)))))
messages: $(VENV)/.installed gettext
	@for app in $(WORDS_APPS); do \
		(cd src/sciaticare/$$app && PYTHONPATH=$(CURDIR)/src $(TEST_ENV) $(CURDIR)/$(BIN)/django-admin \
			makemessages --no-location --locale=es --settings=sciaticare.settings >/dev/null \
		&& PYTHONPATH=$(CURDIR)/src $(TEST_ENV) $(CURDIR)/$(BIN)/django-admin \
			compilemessages --settings=sciaticare.settings >/dev/null) || exit 1; \
	done
	@echo "Catalogues updated: $(WORDS_APPS)"

test: lint typecheck browser gettext
	$(TEST_ENV) $(BIN)/pytest -m "not slow" -n 2

# Long runs (load, crash, fuzzing). Exit code 5 means no test carries the mark yet.
test-slow: $(VENV)/.installed browser
	$(TEST_ENV) $(BIN)/pytest -m slow; status=$$?; [ $$status -eq 0 ] || [ $$status -eq 5 ]

# Benchmarks (docs/benchmarks.md): each on SQLite, then on PostgreSQL when DATABASE_URL is set;
# booking contention, load (bench/load.py) and clinic outcomes need PostgreSQL; booking_deposit
# starts its own localstripe. Each builds its own database (var/bench/ or sciaticare_bench* on
# DATABASE_URL's server), kept between runs; the first run takes minutes.
BENCH_ENV = DJANGO_SETTINGS_MODULE=sciaticare.settings SECRET_KEY=bench-only-not-a-secret HTTPS=0 RATE_LIMITS_ENABLED=0
BENCHES = directory_search scheduling_slots scheduling_earliest patient_dashboard booking_deposit

bench: $(VENV)/.installed
	@for b in $(BENCHES); do env -u DATABASE_URL $(BENCH_ENV) $(BIN)/python -m bench.$$b || exit 1; done
	@if [ -n "$$DATABASE_URL" ]; then \
		for b in $(BENCHES) booking_contention load clinic_outcomes; do $(BENCH_ENV) $(BIN)/python -m bench.$$b || exit 1; done; \
	else echo "DATABASE_URL is not set: the PostgreSQL runs and booking contention were skipped."; fi

# Lighthouse (mobile) accessibility and performance of five pages of the demo; needs Node 20 and
# npm (installs lighthouse 12.2.3 into var/lighthouse/ once) and Chromium (CHROMIUM=...).
lighthouse: $(VENV)/.installed
	@$(BIN)/python -m bench.lighthouse

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .import_linter_cache .grimp_cache
