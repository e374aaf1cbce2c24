"""The one place where the standards core fetches anything over the network.

did:web documents, https verification methods, status lists and evidence all come through a
`Fetcher`, which applies a `FetchPolicy`: https only, no private or loopback addresses, bounded
size, time and redirects, optional host allow/deny lists. `Fetcher.offline()` refuses the network
altogether and serves only documents the caller supplied (the CLI's `--document URL=FILE`).

DNS rebinding: the host is resolved once, at connect time, inside the connection backend; every
address is checked and the socket is opened to a checked address, never to a second lookup. TLS
still verifies the certificate against the host name. This hooks httpcore's network backend
through `httpx.HTTPTransport._pool` (a private attribute); `_GuardedTransport` refuses to start if
that attribute ever disappears, so the guard cannot silently fall away.
"""

from __future__ import annotations

import copy
import email.utils
import ipaddress
import json
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpcore
import httpx
from cachetools import LRUCache

from standards.errors import FetchError

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
DEFAULT_USER_AGENT = "OpenDossier-standards-fetcher/0.1"
# NAT64 (RFC 6052) embeds an IPv4 address in the last 32 bits; check the embedded one.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


@dataclass
class FetchPolicy:
    """What the fetcher may do. Host names are compared lower-cased, without a trailing dot."""

    connect_timeout: float = 5.0
    read_timeout: float = 5.0
    total_timeout: float = 20.0  # the whole fetch, all redirects; stops slow-drip servers
    max_bytes: int = 2 * 1024 * 1024
    max_redirects: int = 3
    allowed_schemes: list[str] = field(default_factory=lambda: ["https"])
    allow_network: bool = True
    allow_private_addresses: bool = False
    allow_private_for: list[str] = field(default_factory=list)  # hosts that may be private
    allowed_hosts: list[str] | None = None
    denied_hosts: list[str] = field(default_factory=list)
    allow_http_for: list[str] = field(default_factory=list)  # plain http allowed (tests, dev)
    local_documents: dict[str, bytes | dict[str, Any]] = field(default_factory=dict)
    user_agent: str = DEFAULT_USER_AGENT

    @classmethod
    def local_testing(cls, host: str = "127.0.0.1", **overrides: Any) -> FetchPolicy:
        """Plain http and private addresses for one local host, and only that host."""
        settings: dict[str, Any] = {
            "allowed_hosts": [host], "allow_http_for": [host], "allow_private_for": [host],
        }
        settings.update(overrides)
        return cls(**settings)

    def allows_plain_http(self, host: str) -> bool:
        return _norm_host(host) in {_norm_host(h) for h in self.allow_http_for}

    def allows_private(self, host: str) -> bool:
        return self.allow_private_addresses or _norm_host(host) in {
            _norm_host(h) for h in self.allow_private_for
        }

    def host_refusal(self, host: str) -> str | None:
        """Why this host may not be fetched from, or None."""
        name = _norm_host(host)
        if name in {_norm_host(h) for h in self.denied_hosts}:
            return f"host {name} is denied by policy"
        if self.allowed_hosts is not None and name not in {
            _norm_host(h) for h in self.allowed_hosts
        }:
            return f"host {name} is not in the allowed hosts"
        return None


@dataclass(frozen=True)
class FetchedResponse:
    url: str  # the final URL, after redirects
    status: int
    headers: dict[str, str]  # lower-cased names
    content: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.content)
        except (ValueError, RecursionError) as exc:
            raise FetchError(f"{self.url}: response is not JSON ({exc})") from exc


def _norm_host(host: str) -> str:
    return host.strip().lower().rstrip(".").strip("[]")


def address_refusal(address: str) -> str | None:
    """Why an IP address is not a public unicast address (None if it is)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip.sixtofour is not None:
            ip = ip.sixtofour
        elif ip.teredo is not None:
            ip = ip.teredo[1]
        elif ip in _NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    for kind in ("unspecified", "loopback", "link_local", "multicast", "reserved", "private"):
        if getattr(ip, f"is_{kind}"):
            return f"{kind.replace('_', '-')} address {ip}"
    if isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local:
        return f"site-local address {ip}"
    if not ip.is_global:
        return f"non-global address {ip}"
    return None


class _AddressRefused(FetchError):
    """Raised inside the connection backend; the Fetcher adds the URL to the message."""


class _GuardedBackend(httpcore.SyncBackend):
    """Resolves the host once, checks every address, connects only to a checked one."""

    def __init__(self, policy: FetchPolicy) -> None:
        self._policy = policy

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not addresses:
            raise httpcore.ConnectError(f"{host} has no addresses")
        if not self._policy.allows_private(host):
            for address in addresses:
                reason = address_refusal(address)
                if reason is not None:
                    raise _AddressRefused(f"host {host} resolves to a {reason}")
        last_error: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                last_error = exc
        if last_error is None:  # cannot happen: there was at least one address
            raise httpcore.ConnectError(f"{host} has no addresses")
        raise last_error


class _GuardedTransport(httpx.HTTPTransport):
    def __init__(self, policy: FetchPolicy) -> None:
        super().__init__(trust_env=False)  # no proxies from the environment: we pin addresses
        if not hasattr(self, "_pool"):
            raise RuntimeError("httpx internals changed: cannot install the address guard")
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=10,
            max_keepalive_connections=5,
            network_backend=_GuardedBackend(policy),
        )


def guarded_transport(policy: FetchPolicy) -> httpx.BaseTransport:
    """The real socket layer: resolves each host once and connects only to addresses the
    policy allows."""
    return _GuardedTransport(policy)


@dataclass
class _CacheEntry:
    expires_at: float
    response: FetchedResponse


def freshness_lifetime(headers: dict[str, str], now: float) -> float | None:
    """Seconds a response may be reused (RFC 9111 §4.2.1), or None if it must not be stored."""
    directives: dict[str, str] = {}
    for part in headers.get("cache-control", "").split(","):
        name, _, value = part.strip().partition("=")
        if name:
            directives[name.lower()] = value.strip().strip('"')
    if "no-store" in directives or "no-cache" in directives:
        return None
    age = _int_or_none(headers.get("age")) or 0
    if "max-age" in directives:
        max_age = _int_or_none(directives["max-age"])
        return None if max_age is None else max_age - age
    if "expires" in headers:
        expires = _http_date(headers["expires"])
        if expires is None:
            return None  # an invalid Expires means "already expired"
        date = _http_date(headers.get("date", "")) or now
        return expires - date - age
    return None  # no heuristic freshness: status lists and keys change


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _http_date(value: str) -> float | None:
    try:
        return email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None


class Fetcher:
    """Fetches URLs under a FetchPolicy, with a bounded cache honouring HTTP freshness."""

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        *,
        cache_size: int = 256,
        max_cache_ttl: float = 3600.0,
        clock: Callable[[], float] = time.time,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """`transport` replaces only the socket layer (tests route fetches to in-process
        apps); every policy check on schemes, hosts, redirects, size and time still applies.
        Without it, connections go through the address-checking transport."""
        self.policy = policy or FetchPolicy()
        self._clock = clock
        self._transport = transport
        self._max_cache_ttl = max_cache_ttl
        self._cache: LRUCache[tuple[str, str], _CacheEntry] = LRUCache(maxsize=cache_size)
        self._lock = threading.Lock()
        self._client: httpx.Client | None = None

    @classmethod
    def offline(
        cls, local_documents: dict[str, bytes | dict[str, Any]] | None = None
    ) -> Fetcher:
        """Refuses every network URL; serves only the given documents."""
        return cls(FetchPolicy(allow_network=False, local_documents=dict(local_documents or {})))

    # --- public API ---------------------------------------------------------------------
    def fetch_json(self, url: str, accept: str = "application/json") -> Any:
        local = self.local_document(url)
        if isinstance(local, dict | list):
            return copy.deepcopy(local)
        return self.fetch_bytes(url, accept=accept).json()

    def fetch_bytes(self, url: str, accept: str = "*/*") -> FetchedResponse:
        local = self.local_document(url)
        if local is not None:
            content = local if isinstance(local, bytes) else json.dumps(local).encode("utf-8")
            return FetchedResponse(url, 200, {"content-type": "application/json"}, content)
        if not self.policy.allow_network:
            raise FetchError(
                f"refused to fetch {url}: network access is off (offline fetcher); "
                "supply the document locally (--document URL=FILE) or allow the network"
            )
        key = (url, accept)
        with self._lock:
            entry = self._cache.get(key)
            if entry is not None and entry.expires_at > self._clock():
                return entry.response
        response = self._fetch_network(url, accept)
        self._store(key, response)
        return response

    def post(self, url: str, *, form: dict[str, str] | None = None,
             json_body: Any = None, headers: dict[str, str] | None = None) -> FetchedResponse:
        """POST a form or a JSON body under the same policy (scheme, host, address, size and
        time limits). Redirects are not followed and nothing is cached. Any status comes
        back, so that protocol clients (OpenID4VCI, OpenID4VP) can read error answers."""
        if not self.policy.allow_network:
            raise FetchError(f"refused to post to {url}: network access is off")
        try:
            target = httpx.URL(url)
        except (httpx.InvalidURL, TypeError) as exc:
            raise FetchError(f"refused to post to {url}: not a valid URL ({exc})") from exc
        self._check_url(target, url)
        sent = {"Accept": "application/json", "Accept-Encoding": "identity",
                "User-Agent": self.policy.user_agent, **(headers or {})}
        deadline = time.monotonic() + self.policy.total_timeout
        status, response_headers, content = self._request_once(
            "POST", target, sent, url, deadline, data=form, json=json_body)
        return FetchedResponse(str(target), status, response_headers, content)

    def local_document(self, url: str) -> bytes | dict[str, Any] | list[Any] | None:
        """A caller-supplied document for this URL (fragment ignored), or None."""
        documents = self.policy.local_documents
        if url in documents:
            return documents[url]
        return documents.get(url.split("#", 1)[0])

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- network ------------------------------------------------------------------------
    def _http_client(self) -> httpx.Client:
        if self._client is None:
            p = self.policy
            self._client = httpx.Client(
                transport=self._transport or guarded_transport(p),
                timeout=httpx.Timeout(
                    connect=p.connect_timeout, read=p.read_timeout,
                    write=p.read_timeout, pool=p.connect_timeout,
                ),
                follow_redirects=False,  # redirects are followed here, each hop re-checked
                trust_env=False,
            )
        return self._client

    def _check_url(self, url: httpx.URL, original: str) -> None:
        scheme, host = url.scheme, url.host
        if scheme not in self.policy.allowed_schemes and not (
            scheme == "http" and self.policy.allows_plain_http(host)
        ):
            raise FetchError(f"refused to fetch {original}: scheme {scheme!r} is not allowed "
                             f"(allowed: {', '.join(self.policy.allowed_schemes)})")
        if not host:
            raise FetchError(f"refused to fetch {original}: {url} has no host")
        if url.userinfo:
            raise FetchError(f"refused to fetch {original}: {url} carries credentials")
        reason = self.policy.host_refusal(host)
        if reason is not None:
            raise FetchError(f"refused to fetch {original}: {reason}")

    def _fetch_network(self, original: str, accept: str) -> FetchedResponse:
        deadline = time.monotonic() + self.policy.total_timeout
        try:
            url = httpx.URL(original.split("#", 1)[0])
        except (httpx.InvalidURL, TypeError) as exc:
            raise FetchError(f"refused to fetch {original}: not a valid URL ({exc})") from exc
        headers = {"Accept": accept, "Accept-Encoding": "identity",
                   "User-Agent": self.policy.user_agent}
        for _hop in range(self.policy.max_redirects + 1):
            self._check_url(url, original)
            status, response_headers, content = self._get_once(url, headers, original, deadline)
            if status in REDIRECT_STATUSES and "location" in response_headers:
                url = url.join(response_headers["location"])
                continue
            if not 200 <= status < 300:
                raise FetchError(f"fetching {original} failed: HTTP status {status} from {url}")
            return FetchedResponse(str(url), status, response_headers, content)
        raise FetchError(
            f"fetching {original} failed: more than {self.policy.max_redirects} redirects"
        )

    def _get_once(
        self, url: httpx.URL, headers: dict[str, str], original: str, deadline: float
    ) -> tuple[int, dict[str, str], bytes]:
        return self._request_once("GET", url, headers, original, deadline)

    def _request_once(
        self, method: str, url: httpx.URL, headers: dict[str, str], original: str,
        deadline: float, **body: Any,
    ) -> tuple[int, dict[str, str], bytes]:
        limit = self.policy.max_bytes
        try:
            with self._http_client().stream(method, url, headers=headers, **body) as response:
                response_headers = {k.lower(): v for k, v in response.headers.items()}
                # For a GET, redirects and errors need no body; a POST's error body is the
                # protocol's error answer.
                if response.status_code >= 300 and method == "GET":
                    return response.status_code, response_headers, b""
                declared = _int_or_none(response_headers.get("content-length"))
                if declared is not None and declared > limit:
                    raise FetchError(f"fetching {original} failed: response too large "
                                     f"({declared} bytes declared, limit {limit})")
                content = bytearray()
                for chunk in response.iter_bytes():
                    content += chunk
                    if len(content) > limit:
                        raise FetchError(f"fetching {original} failed: response too large "
                                         f"(more than {limit} bytes)")
                    if time.monotonic() > deadline:
                        raise FetchError(f"fetching {original} failed: timed out "
                                         f"(over {self.policy.total_timeout} s in total)")
                return response.status_code, response_headers, bytes(content)
        except _AddressRefused as exc:
            raise FetchError(f"refused to fetch {original}: {exc}") from exc
        except httpx.TimeoutException as exc:
            raise FetchError(f"fetching {original} failed: timed out ({exc!r})") from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"fetching {original} failed: {exc}") from exc

    def _store(self, key: tuple[str, str], response: FetchedResponse) -> None:
        if response.status != 200:
            return
        now = self._clock()
        lifetime = freshness_lifetime(response.headers, now)
        if lifetime is None or lifetime <= 0:
            return
        with self._lock:
            self._cache[key] = _CacheEntry(now + min(lifetime, self._max_cache_ttl), response)
