"""The network fetcher against a real HTTP server on 127.0.0.1 (no mocked HTTP)."""

from __future__ import annotations

import email.utils
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from standards.errors import FetchError
from standards.fetcher import FetchedResponse, Fetcher, FetchPolicy, address_refusal
from tests.local_server import LocalServer


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer() as local:
        yield local


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(FetchPolicy.local_testing()) as local_fetcher:
        yield local_fetcher


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def test_fetch_json_and_bytes(server: LocalServer, fetcher: Fetcher) -> None:
    url = server.json_route("/doc.json", {"hello": "world"})
    assert fetcher.fetch_json(url) == {"hello": "world"}
    response = fetcher.fetch_bytes(url)
    assert isinstance(response, FetchedResponse)
    assert (response.url, response.status) == (url, 200)
    assert response.headers["content-type"] == "application/json"
    assert json.loads(response.content) == {"hello": "world"}


def test_default_policy_refuses_loopback_before_connecting(server: LocalServer) -> None:
    server.json_route("/loop.json", {})
    with Fetcher() as default, pytest.raises(FetchError) as caught:
        default.fetch_json(f"https://127.0.0.1:{server.port}/loop.json")
    assert "loopback address 127.0.0.1" in str(caught.value)
    assert f"https://127.0.0.1:{server.port}/loop.json" in str(caught.value)
    assert server.hits["/loop.json"] == 0


def test_default_policy_refuses_plain_http(server: LocalServer) -> None:
    url = server.json_route("/plain.json", {})
    policy = FetchPolicy(allow_private_addresses=True)
    with Fetcher(policy) as fetcher, pytest.raises(FetchError, match="scheme 'http' is not"):
        fetcher.fetch_json(url)
    assert server.hits["/plain.json"] == 0


def test_host_names_are_resolved_and_every_address_checked(server: LocalServer) -> None:
    # "localhost" resolves to loopback: plain http is allowed for it, private addresses are not.
    server.json_route("/named.json", {})
    policy = FetchPolicy(allow_http_for=["localhost"], allow_private_for=["127.0.0.1"])
    with Fetcher(policy) as fetcher, pytest.raises(FetchError, match="host localhost resolves"):
        fetcher.fetch_json(f"http://localhost:{server.port}/named.json")
    assert server.hits["/named.json"] == 0


def test_connects_to_the_address_it_checked(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DNS rebinding: the name is looked up exactly once and the socket goes to that address.
    # There is no DNS server offline, so the resolver is replaced for this one name.
    real_getaddrinfo = socket.getaddrinfo
    lookups: list[str] = []

    def rebinding_getaddrinfo(host: str, *args: Any, **kwargs: Any) -> object:
        if host == "rebind.test":
            lookups.append(host)
            if len(lookups) > 1:
                raise AssertionError("second lookup: the checked address was not pinned")
            return real_getaddrinfo("127.0.0.1", *args, **kwargs)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_getaddrinfo)
    server.json_route("/rebind.json", {"pinned": True})
    policy = FetchPolicy.local_testing("rebind.test")
    with Fetcher(policy) as fetcher:
        assert fetcher.fetch_json(f"http://rebind.test:{server.port}/rebind.json") == {
            "pinned": True
        }
    assert lookups == ["rebind.test"]


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"), ("::1", "loopback"), ("10.1.2.3", "private"),
        ("192.168.0.1", "private"), ("172.16.5.4", "private"), ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"), ("224.0.0.1", "multicast"), ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"), ("::", "unspecified"), ("240.0.0.1", "reserved"),
        ("::ffff:127.0.0.1", "loopback"), ("::ffff:10.0.0.1", "private"),
        ("2002:7f00:1::", "loopback"), ("64:ff9b::a00:1", "private"),
        ("100.64.0.1", "non-global"), ("fc00::1", "private"),
    ],
)
def test_non_public_addresses_are_refused(address: str, kind: str) -> None:
    reason = address_refusal(address)
    assert reason is not None and reason.startswith(kind)


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert address_refusal(address) is None


def test_host_allow_and_deny_lists(server: LocalServer) -> None:
    url = server.json_route("/hosts.json", {})
    allow_other = FetchPolicy.local_testing(allowed_hosts=["issuer.example"])
    with Fetcher(allow_other) as fetcher, pytest.raises(FetchError, match="not in the allowed"):
        fetcher.fetch_json(url)
    deny = FetchPolicy.local_testing(denied_hosts=["127.0.0.1"])
    with Fetcher(deny) as fetcher, pytest.raises(FetchError, match="denied by policy"):
        fetcher.fetch_json(url)
    assert server.hits["/hosts.json"] == 0


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://127.0.0.1/x", "scheme 'ftp' is not allowed"),
        ("https://user:secret@issuer.example/x", "carries credentials"),
        ("https:///nohost", "no host"),
    ],
)
def test_bad_urls_are_refused(fetcher: Fetcher, url: str, reason: str) -> None:
    with pytest.raises(FetchError, match=reason):
        fetcher.fetch_bytes(url)


def test_oversized_declared_response_is_refused(server: LocalServer) -> None:
    url = server.json_route("/big.json", {"data": "x" * 4988})  # 5000 bytes of JSON
    expected = r"too large \(5000 bytes declared, limit 1024\)"
    policy = FetchPolicy.local_testing(max_bytes=1024)
    with Fetcher(policy) as fetcher, pytest.raises(FetchError, match=expected):
        fetcher.fetch_json(url)


def test_endless_response_is_aborted_while_streaming(server: LocalServer) -> None:
    # No Content-Length and a body that never ends: only a streaming limit stops it.
    def endless(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.end_headers()
        chunk = b" " * 65536
        for _ in range(16384):  # 1 GiB at most, should the client fail to hang up
            handler.wfile.write(chunk)

    server.routes["/endless"] = endless
    started = time.monotonic()
    policy = FetchPolicy.local_testing(max_bytes=256 * 1024, total_timeout=60)
    expected = r"too large \(more than 262144 bytes\)"
    with Fetcher(policy) as fetcher, pytest.raises(FetchError, match=expected):
        fetcher.fetch_bytes(server.base + "/endless")
    assert time.monotonic() - started < 10


def test_read_timeout(server: LocalServer) -> None:
    released = threading.Event()

    def slow(handler: BaseHTTPRequestHandler) -> None:
        released.wait(10)  # answers only once the test has seen the timeout
        handler.send_response(200)
        handler.send_header("Content-Length", "2")
        handler.end_headers()
        handler.wfile.write(b"{}")

    server.routes["/slow"] = slow
    try:
        with Fetcher(FetchPolicy.local_testing(read_timeout=0.3)) as fetcher:
            started = time.monotonic()
            with pytest.raises(FetchError, match="timed out"):
                fetcher.fetch_json(server.base + "/slow")
        # The server holds its answer until released: the error alone shows the read timeout
        # fired. The bound is loose because the first fetch also builds the TLS context, which
        # took over a second on a busy machine (1.4 s flaked).
        assert time.monotonic() - started < 5
    finally:
        released.set()


def test_redirect_is_followed_and_rechecked(server: LocalServer, fetcher: Fetcher) -> None:
    target = server.json_route("/target.json", {"moved": True})
    response = fetcher.fetch_bytes(server.redirect_route("/moved", "/target.json"))
    assert response.url == target
    assert json.loads(response.content) == {"moved": True}


def test_redirect_to_private_address_is_refused(server: LocalServer) -> None:
    # The classic SSRF: an allowed host redirects to the cloud metadata endpoint.
    url = server.redirect_route("/metadata", "http://169.254.169.254/latest/meta-data/")
    policy = FetchPolicy(allow_http_for=["127.0.0.1", "169.254.169.254"],
                         allow_private_for=["127.0.0.1"])
    with Fetcher(policy) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.fetch_bytes(url)
    assert "link-local address 169.254.169.254" in str(caught.value)


def test_redirect_to_other_scheme_or_host_is_refused(server: LocalServer) -> None:
    url = server.redirect_route("/to-file", "file:///etc/passwd")
    with Fetcher(FetchPolicy.local_testing()) as fetcher:
        with pytest.raises(FetchError, match="scheme 'file' is not allowed"):
            fetcher.fetch_bytes(url)
        away = server.redirect_route("/away", "https://elsewhere.example/")
        with pytest.raises(FetchError, match="not in the allowed hosts"):
            fetcher.fetch_bytes(away)


def test_redirect_limit(server: LocalServer) -> None:
    for i in range(3):
        server.redirect_route(f"/hop{i}", f"/hop{i + 1}")
    server.json_route("/hop3", {"arrived": True})
    with Fetcher(FetchPolicy.local_testing(max_redirects=3)) as fetcher:
        assert fetcher.fetch_json(server.base + "/hop0") == {"arrived": True}
    policy = FetchPolicy.local_testing(max_redirects=2)
    with Fetcher(policy) as fetcher, pytest.raises(FetchError, match="more than 2 redirects"):
        fetcher.fetch_json(server.base + "/hop0")


def test_status_and_json_errors(server: LocalServer, fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match="HTTP status 404"):
        fetcher.fetch_json(server.base + "/nowhere")

    def text(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "5")
        handler.end_headers()
        handler.wfile.write(b"hello")

    server.routes["/text"] = text
    with pytest.raises(FetchError, match=r"/text: response is not JSON"):
        fetcher.fetch_json(server.base + "/text")


def test_cache_honours_max_age(server: LocalServer) -> None:
    clock = Clock()
    url = server.json_route("/max-age.json", {"n": 1}, {"Cache-Control": "public, max-age=60"})
    with Fetcher(FetchPolicy.local_testing(), clock=clock) as fetcher:
        assert fetcher.fetch_json(url) == {"n": 1}
        clock.now += 59
        assert fetcher.fetch_json(url) == {"n": 1}
        assert server.hits["/max-age.json"] == 1
        clock.now += 2
        fetcher.fetch_json(url)
        assert server.hits["/max-age.json"] == 2


def test_cache_honours_no_store_and_no_headers(server: LocalServer) -> None:
    no_store = server.json_route("/no-store.json", {}, {"Cache-Control": "no-store, max-age=60"})
    plain = server.json_route("/plain-cache.json", {})
    with Fetcher(FetchPolicy.local_testing(), clock=Clock()) as fetcher:
        for _ in range(2):
            fetcher.fetch_json(no_store)
            fetcher.fetch_json(plain)
    assert server.hits["/no-store.json"] == 2
    assert server.hits["/plain-cache.json"] == 2


def test_cache_honours_expires(server: LocalServer) -> None:
    clock = Clock()
    date = email.utils.formatdate(clock.now, usegmt=True)
    expires = email.utils.formatdate(clock.now + 30, usegmt=True)
    url = server.json_route("/expires.json", {}, {"Date": date, "Expires": expires})
    with Fetcher(FetchPolicy.local_testing(), clock=clock) as fetcher:
        fetcher.fetch_json(url)
        clock.now += 29
        fetcher.fetch_json(url)
        assert server.hits["/expires.json"] == 1
        clock.now += 2
        fetcher.fetch_json(url)
        assert server.hits["/expires.json"] == 2


def test_cache_is_bounded_lru(server: LocalServer) -> None:
    urls = [server.json_route(f"/lru{i}.json", {}, {"Cache-Control": "max-age=600"})
            for i in range(3)]
    with Fetcher(FetchPolicy.local_testing(), cache_size=2, clock=Clock()) as fetcher:
        for url in urls:
            fetcher.fetch_json(url)
        fetcher.fetch_json(urls[2])  # still cached
        fetcher.fetch_json(urls[0])  # evicted by the third
    assert [server.hits[f"/lru{i}.json"] for i in range(3)] == [2, 1, 1]


def test_offline_fetcher_refuses_network_and_serves_local_documents(server: LocalServer) -> None:
    network_url = server.json_route("/offline.json", {})
    local_url = "https://issuer.example/status/1"
    raw_url = "https://issuer.example/raw.json"
    offline = Fetcher.offline({local_url: {"local": True}, raw_url: b'{"raw": 1}'})
    assert offline.fetch_json(local_url) == {"local": True}
    assert offline.fetch_json(local_url + "#frag") == {"local": True}
    assert offline.fetch_json(raw_url) == {"raw": 1}
    offline.fetch_json(local_url)["local"] = False  # callers get copies
    assert offline.fetch_json(local_url) == {"local": True}
    for url in (network_url, "https://issuer.example/other"):
        with pytest.raises(FetchError, match="network access is off"):
            offline.fetch_json(url)
    assert server.hits["/offline.json"] == 0
