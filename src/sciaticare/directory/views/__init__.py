"""Pages of the directory, one module per domain: ``search`` (the search page and a therapist's
public profile), ``profile`` (a therapist's own entry and session types), ``credentials`` (a
therapist's credentials and their documents), ``moderation`` (the clinic admin's page: checking
credentials, hiding reviews), ``reviews`` (a patient's review) and ``plan`` (a patient's
flare-up plan), with ``checks`` (what every page checks). ``directory/urls.py`` imports the
modules; this package re-exports nothing.

Views are thin: parse the form, call one selector or service, render or redirect. Objects a
person may not see are 404s, the same as missing ones.
"""
