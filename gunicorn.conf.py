"""gunicorn reads this file from the directory it starts in (or `-c gunicorn.conf.py`).

Its access log goes through a logger that redacts calendar secrets, share tokens and
free-text query values such as `reason=` (src/sciaticare/core/access_log.py).
"""

logger_class = "sciaticare.core.access_log.GunicornLogger"
