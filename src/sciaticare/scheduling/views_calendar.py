"""Calendar subscription: the page with a person's secret feed link, making a new link, and the
feed itself (`GET /calendar/<secret>.ics`, no sign-in: the secret is the key)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from sciaticare.accounts.types import AuthedRequest
from sciaticare.core.errors import NotFound
from sciaticare.scheduling.models import CalendarFeed
from sciaticare.scheduling.selectors.calendar_feeds import feed_by_secret, feed_calendar
from sciaticare.scheduling.services import calendar_feeds


def feed_url(feed: CalendarFeed) -> str:
    # SITE_URL, not the request's host: the link must work from the calendar app's servers.
    return f"{settings.SITE_URL}{reverse('calendar_feed', kwargs={'secret': feed.secret})}"


@login_required
def calendar(request: AuthedRequest) -> HttpResponse:
    """The person's feed link (made on first visit) and how to subscribe to it."""
    feed = calendar_feeds.feed_for(owner=request.user)
    url = feed_url(feed)
    webcal = "webcal://" + url.split("://", 1)[1]
    return render(request, "scheduling/calendar.html", {"feed_url": url, "webcal_url": webcal})


@login_required
@require_http_methods(["GET", "POST"])
def new_link(request: AuthedRequest) -> HttpResponse:
    """Confirm, then replace the feed's secret: the old link stops working at once."""
    if request.method == "POST":
        calendar_feeds.regenerate_feed(owner=request.user)
        messages.success(
            request,
            gettext(
                "Here is your new link. The old one no longer works: update any calendar app "
                "that used it."
            ),
        )
        return redirect("scheduling:calendar")
    return render(request, "scheduling/calendar_new_link.html")


@require_GET
def feed(request: HttpRequest, secret: str) -> HttpResponse:
    """The secret feed: RFC 5545, for calendar apps; 404 for an unknown or replaced secret."""
    try:
        found = feed_by_secret(secret=secret)
    except NotFound:
        raise Http404 from None
    response = HttpResponse(feed_calendar(feed=found), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="sciaticare.ics"'
    # Personal data behind a secret URL: no shared caches, no search engines.
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
