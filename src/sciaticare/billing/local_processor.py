"""The demo's card processor: localstripe (a local Stripe-compatible server, a dev dependency),
as `make run` starts it: `python -P src/sciaticare/billing/local_processor.py --store
var/localstripe.pickle --port 8420 --port-file var/localstripe.port`. No real money moves.

Two things differ from `localstripe --port N`: it listens on 127.0.0.1 only (localstripe
itself listens on every interface), on the port asked for or, when that one is taken, a free one
(written to `--port-file` once it listens, for the Makefile to tell the app); and it keeps its
store in `--store`, beside the demo database, so the cards and payments the demo recorded are
still there on the next `make run` and `rm -rf var` resets both (localstripe itself keeps one
file, /tmp/localstripe.pickle, which every test run on the machine also writes).

Not imported by the app: only run as a program, with the dev dependencies installed.
"""

from __future__ import annotations

import argparse
import pickle
import socket
from pathlib import Path
from typing import Any


def _listening_socket(port: int) -> socket.socket:
    """A socket bound to 127.0.0.1 and listening: on `port`, or a free one if it is taken."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError:
        sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


def _keep_store_in(path: Path) -> None:
    from localstripe import resources

    def load(store: Any) -> None:
        if path.exists():
            with path.open("rb") as f:
                old = pickle.load(f)  # noqa: S301 - written by this program
            store.clear()
            store.update(old)

    def dump(store: Any) -> None:
        partial = path.with_suffix(".partial")
        with partial.open("wb") as f:
            pickle.dump(dict(store), f, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(path)  # never a half-written store

    resources.Store.try_load_from_disk = load
    resources.Store.dump_to_disk = dump


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--port-file", type=Path)
    args = parser.parse_args()

    _keep_store_in(args.store)
    from aiohttp import web
    from localstripe import resources, server

    resources.store.try_load_from_disk()
    sock = _listening_socket(args.port)
    port = sock.getsockname()[1]
    print(f"localstripe listening on http://127.0.0.1:{port}, store {args.store}", flush=True)
    if args.port_file:
        args.port_file.write_text(f"{port}\n")
    web.run_app(server.app, sock=sock, print=None)


if __name__ == "__main__":
    main()
