import gc
import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sciaticare.settings")
# Before the settings load: the web's database limits (statement and lock timeouts) apply to
# the processes that serve requests, never to management commands or db_worker.
os.environ.setdefault("SCIATICARE_PROCESS", "web")
application = get_wsgi_application()
# What start-up makes (models, the URLs and every view and API schema behind them) lives as long
# as the process: frozen out of the garbage collector's sight, a full collection walks only what
# requests made since, 5 ms instead of 130 ms that stalled the worker and every request queued
# behind it (docs/benchmarks.md, "Python out of the slot list and the booking").
import_module(settings.ROOT_URLCONF)
gc.freeze()
