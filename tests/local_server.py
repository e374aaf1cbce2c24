"""A real HTTP server on a free port of 127.0.0.1 for tests (no mocked HTTP)."""

from __future__ import annotations

import contextlib
import json
import threading
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Route = Callable[[BaseHTTPRequestHandler], None]


class LocalServer:
    """A threaded HTTP server on a free port of 127.0.0.1. Tests register routes by path,
    or put JSON documents in `documents` (served as `document_type`)."""

    def __init__(self, document_type: str = "application/json") -> None:
        self.routes: dict[str, Route] = {}
        self.documents: dict[str, Any] = {}
        self.hits: Counter[str] = Counter()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits[self.path] += 1
                route = server.routes.get(self.path)
                if route is None and self.path in server.documents:
                    route = server.document_route(self.path, document_type)
                if route is None:
                    self.send_error(404)
                    return
                # the client may hang up on purpose (size limit, timeout)
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    route(self)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.did = f"did:web:127.0.0.1%3A{self.port}"  # the did:web naming this server
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def json_route(self, path: str, body: object, headers: dict[str, str] | None = None) -> str:
        payload = json.dumps(body).encode()

        def route(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response_only(200)  # no automatic Date: cache tests set their own
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(payload)

        self.routes[path] = route
        return self.base + path

    def redirect_route(self, path: str, location: str) -> str:
        def route(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(302)
            handler.send_header("Location", location)
            handler.send_header("Content-Length", "0")
            handler.end_headers()

        self.routes[path] = route
        return self.base + path

    def document_route(self, path: str, content_type: str) -> Route:
        payload = json.dumps(self.documents[path]).encode()

        def route(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(200)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)

        return route

    def __enter__(self) -> LocalServer:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
