import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sciaticare.settings")
# Before the settings load: the web's database limits (statement and lock timeouts) apply to
# the processes that serve requests, never to management commands or db_worker.
os.environ.setdefault("SCIATICARE_PROCESS", "web")
application = get_asgi_application()
