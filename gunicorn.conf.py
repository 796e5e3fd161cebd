"""gunicorn reads this file from the directory it starts in (or `-c gunicorn.conf.py`).

Its access log goes through a logger that redacts calendar secrets, share tokens and
free-text query values such as `reason=` (src/sciaticare/core/access_log.py).
"""

import os

logger_class = "sciaticare.core.access_log.GunicornLogger"

# Each worker tells the master it is alive by touching a file, between every two requests. On
# a disk that file's inode updates can wait behind the filesystem's journal and stall the
# worker; gunicorn's FAQ says to keep it in memory (/dev/shm) where there is one. gunicorn
# makes it with mkstemp and unlinks it at once, so the shared directory exposes nothing.
SHARED_MEMORY = "/dev/shm"  # noqa: S108
if os.path.isdir(SHARED_MEMORY):
    worker_tmp_dir = SHARED_MEMORY
