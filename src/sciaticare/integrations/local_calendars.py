"""The demo's calendar server: Radicale (a CalDAV server, a dev dependency), as `make run` starts
it: `python -P src/sciaticare/integrations/local_calendars.py --folder var/radicale --port 5232
--port-file var/radicale.port --user daniel --password …`.

It listens on 127.0.0.1 only, on the port asked for or a free one when that is taken (written to
`--port-file` before Radicale starts, for the Makefile to tell the app), keeps its storage in
`--folder` (so the demo's events are still there on the next `make run`; `rm -rf var` resets
it), and knows one user with a plain password (a local demo, nothing real in it).

Not imported by the app: only run as a program, with the dev dependencies installed.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from pathlib import Path


def _free(port: int) -> int:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--port", type=int, default=5232)
    parser.add_argument("--port-file", type=Path, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    args = parser.parse_args()
    folder = args.folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    port = _free(args.port)
    (folder / "users").write_text(f"{args.user}:{args.password}\n")
    config = folder / "config"
    config.write_text(
        f"[server]\nhosts = 127.0.0.1:{port}\n"
        f"[auth]\ntype = htpasswd\nhtpasswd_filename = {folder / 'users'}\n"
        "htpasswd_encryption = plain\ndelay = 0\n"
        f"[storage]\nfilesystem_folder = {folder / 'storage'}\n"
        "[rights]\ntype = owner_only\n[logging]\nlevel = warning\n"
    )
    args.port_file.write_text(str(port))
    os.execv(sys.executable, [sys.executable, "-m", "radicale", "--config", str(config)])  # noqa: S606


if __name__ == "__main__":
    main()
