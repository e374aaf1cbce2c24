"""In-process services for tests: the real FastAPI apps, reached over an httpx transport
instead of sockets, and a clock tests move instead of sleeping.

`NETWORK` routes `http://127.0.0.1:<port>` of every registered app to that app (through
Starlette's test transport, one request at a time, streamed); any other URL goes to the real
socket layer, so `tests.local_server.LocalServer` and other real servers stay reachable. The
ports of in-process apps are only names: nothing listens on them, so nothing can race for
them (they are below the kernel's ephemeral range, where port-0 servers land).

Services fetch from each other (did:web, status lists, OpenID4VCI) through
`NETWORK.fetch_transport(policy)`, which the `standards.fetcher.Fetcher` uses in place of its
socket layer; the Fetcher's own checks (scheme, host lists, redirects, size, time) still run,
and an in-process host gets the same private-address rule a socket connection would.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from starlette.testclient import TestClient
from starlette.types import ASGIApp

from standards.fetcher import Fetcher, FetchPolicy, address_refusal, guarded_transport

HOST = "127.0.0.1"
FIRST_PORT = 20001


class TestClock:
    """Real time plus an offset the test advances: expiry without sleeping."""

    __test__ = False

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)

    def reset(self) -> None:
        self.offset = timedelta()


class ServiceNetwork(httpx.BaseTransport):
    """The in-process "network": base URL → app, the rest to real sockets."""

    def __init__(self) -> None:
        self._apps: dict[str, TestClient] = {}
        self._ports = itertools.count(FIRST_PORT)
        self._lock = threading.Lock()
        self._sockets = httpx.HTTPTransport(trust_env=False)

    def reserve(self) -> str:
        """A base URL for an app to be added (its settings need the URL first)."""
        with self._lock:
            return f"http://{HOST}:{next(self._ports)}"

    def add(self, base_url: str, app: ASGIApp) -> None:
        # The client address a real server sees for a local test client.
        self._apps[_netloc(httpx.URL(base_url))] = TestClient(
            app, base_url=base_url, follow_redirects=False, client=(HOST, 50000))

    def remove(self, base_url: str) -> None:
        client = self._apps.pop(_netloc(httpx.URL(base_url)), None)
        if client is not None:
            client.close()

    @contextmanager
    def unreachable(self, base_url: str) -> Iterator[None]:
        """The app at `base_url` is down until the block ends: a request to it goes to the
        real socket layer, where nothing listens on that port (connection refused)."""
        netloc = _netloc(httpx.URL(base_url))
        client = self._apps.pop(netloc)
        try:
            yield
        finally:
            self._apps[netloc] = client

    def routes(self, url: httpx.URL) -> bool:
        return _netloc(url) in self._apps

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        app = self._apps.get(_netloc(request.url))
        if app is None:
            return self._sockets.handle_request(request)
        answer = app.send(request, stream=True)
        return httpx.Response(answer.status_code, headers=answer.headers,
                              stream=answer.stream, extensions=answer.extensions)

    def fetch_transport(self, policy: FetchPolicy) -> httpx.BaseTransport:
        """The socket layer for a service's Fetcher under `policy`."""
        return _FetchTransport(self, policy)

    def client(self, base_url: str = "", token: str | None = None,
               **options: Any) -> httpx.Client:
        """An httpx client on this network (cookies, headers, base URL as usual)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(transport=self, base_url=base_url, headers=headers, timeout=60,
                            **options)


class _FetchTransport(httpx.BaseTransport):
    """What a Fetcher's guarded socket layer does, for in-process hosts too."""

    def __init__(self, network: ServiceNetwork, policy: FetchPolicy) -> None:
        self._network = network
        self._policy = policy
        self._sockets = guarded_transport(policy)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not self._network.routes(request.url):
            return self._sockets.handle_request(request)
        host = request.url.host
        reason = None if self._policy.allows_private(host) else address_refusal(host)
        if reason is not None:
            raise httpx.ConnectError(f"host {host} resolves to a {reason}", request=request)
        return self._network.handle_request(request)

    def close(self) -> None:
        self._sockets.close()


def _netloc(url: httpx.URL) -> str:
    return f"{url.host}:{url.port}"


NETWORK = ServiceNetwork()


def request(method: str, url: str, **options: Any) -> httpx.Response:
    """Like `httpx.request`, on `NETWORK` (a fresh client: no cookies carried over)."""
    with NETWORK.client() as client:
        return client.request(method, url, **options)


def get(url: str, **options: Any) -> httpx.Response:
    return request("GET", url, **options)


def post(url: str, **options: Any) -> httpx.Response:
    return request("POST", url, **options)




def local_fetcher() -> Fetcher:
    """A Fetcher for tests that check what a service made: `FetchPolicy.local_testing()`
    (plain http to 127.0.0.1), reaching in-process services through `NETWORK`."""
    policy = FetchPolicy.local_testing()
    return Fetcher(policy, transport=NETWORK.fetch_transport(policy))
