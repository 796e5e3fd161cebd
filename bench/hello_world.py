"""A plain Django hello-world: the ceiling that bench/load.py measures beside the app.

Its own settings, URLconf and view in one module (DJANGO_SETTINGS_MODULE=bench.hello_world;
gunicorn serves ``django.core.wsgi:get_wsgi_application()``): no middleware, no database, no
templates. What it serves per second on the same gunicorn setup is what Django and gunicorn
alone cost, so the app's figure reads against it. Not part of the product.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

SECRET_KEY = "bench-only-not-a-secret"  # noqa: S105 - a benchmark's throw-away server
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "bench.hello_world"
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict[str, dict[str, str]] = {}
USE_TZ = True


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Hello, world", content_type="text/plain")


urlpatterns = [path("", hello)]
