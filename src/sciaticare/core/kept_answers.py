"""Public API answers kept for a few seconds by each app process.

A therapist's public profile and free slots are the same for every caller who is not signed in,
and the load mix asks them of the same few hundred therapists many times a second: each was a
profile read or a calendar search again (docs/benchmarks.md, "Kept answers"). The answer is
kept, as bytes, by the question asked (the validated query) and the language, for `seconds`;
a change this process makes to a therapist (`forget`, from each owning app's signals) drops
that therapist's answers at once; a change made by another process shows within the seconds
(docs/scale.md, "What a search may show late"). A signed-in caller, or one sending a token,
is always answered afresh: they may just have written (read your own writes). Booking never
reads these answers; a time shown late is refused like one taken between listing and booking.

The store is Django's local-memory cache (the ``answers`` alias in settings), bounded in
entries and each answer in size, so a process's memory stays flat however many therapists
there are and whatever callers ask.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from django.core.cache import caches
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

#: Forgetting bumps the generation of the therapist's bucket: their kept answers (and those of
#: the few therapists sharing the bucket) are no longer found and age out of the store.
BUCKETS = 4096
_generations = [0] * BUCKETS
#: A larger answer (a slot list over a long window) is not kept: with the store's 1,000
#: entries (settings.CACHES["answers"]) a process keeps at most 64 MB.
LARGEST_KEPT = 64 * 1024


def answer(
    request: HttpRequest,
    *,
    what: str,
    therapist_id: int,
    asked: Mapping[str, object],
    seconds: float,
    compute: Callable[[], HttpResponse],
) -> HttpResponse:
    """The kept answer to this request if there is one young enough, else `compute()`'s,
    kept when it is a plain 200 (no header of its own beyond its type) of at most
    `LARGEST_KEPT` bytes.

    `asked` holds the query's values after validation, the only ones the answer depends on:
    they make the key (with `what` is answered, the therapist and the language), so that
    spellings of the same question share it; a request with any other query parameter is
    answered afresh and not kept, so that nobody can fill the store with junk. A caller who is
    signed in or sends credentials (a session, or a token the public route does not check) is
    always answered afresh."""
    if (
        seconds <= 0
        or request.method != "GET"
        or "HTTP_AUTHORIZATION" in request.META
        or request.user.is_authenticated
        or not set(request.GET) <= set(asked)
    ):
        return compute()
    store = caches["answers"]
    values = ":".join(f"{name}={_written(asked[name])}" for name in sorted(asked))
    key = f"{what}:{therapist_id}:{get_language()}:{values}"
    version = _generations[therapist_id % BUCKETS]
    kept = store.get(key, version=version)
    if kept is not None:
        content_type, body = kept
        return HttpResponse(body, content_type=content_type)
    response = compute()
    if (
        response.status_code == 200
        and set(response.headers) == {"Content-Type"}
        and len(response.content) <= LARGEST_KEPT
    ):
        kept = (response["Content-Type"], response.content)
        store.set(key, kept, timeout=seconds, version=version)
    return response


def _written(value: object) -> str:
    # No spaces in a key (the cache warns of them): datetimes as ISO 8601.
    return value.isoformat() if isinstance(value, datetime) else str(value)


def forget(therapist_id: int) -> None:
    """Drop what this process keeps of a therapist (their profile or calendar changed): now,
    and again when the transaction commits, in case another thread of the process kept an
    answer read from the rows before the commit."""
    _next_generation(therapist_id)
    transaction.on_commit(lambda: _next_generation(therapist_id))


def _next_generation(therapist_id: int) -> None:
    _generations[therapist_id % BUCKETS] += 1


def clear() -> None:
    caches["answers"].clear()
