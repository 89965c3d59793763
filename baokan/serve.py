"""Serve a directory on 127.0.0.1 (a free port) in a background thread: the demo's e-paper host."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve_directory(root: Path, host: str = "127.0.0.1") -> Iterator[str]:
    """Yield the base URL (with trailing slash) of a static server for root."""
    if not root.is_dir():
        raise FileNotFoundError(f"cannot serve {root}: not a directory")
    server = ThreadingHTTPServer((host, 0), partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, name="baokan-serve", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
