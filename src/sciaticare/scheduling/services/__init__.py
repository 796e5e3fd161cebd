"""Every write of scheduling, one module per subdomain: ``booking`` (who may book, the confirm
step, booking, and the pieces every appointment write shares), ``changes`` (cancelling and
moving), ``attendance`` (a started session completed or a no-show), ``holds`` (slots held for
the waitlist or while a deposit is paid), ``waitlist`` (joining, offers, answers),
``policy`` (a clinic's booking rules: the cancellation window), ``calendar_feeds`` (a
person's feed secret) and ``erasure`` (a deleted account's scheduling rows). Callers import the module they
need; this package re-exports nothing."""
