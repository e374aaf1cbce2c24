"""Every page of the three services, as each kind of person reaches it by following links:
axe-core finds no serious or critical violation and nothing scrolls sideways at 360 px
(`Pages.check`), and no link on this site leads to an error.

conftest orders this module after the story tests, so the dossiers hold credentials,
evidence, reflections, reports and shares, and the issuer offers and revocations, and their
pages are crawled too. Pages that differ only by an id are visited twice at most.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

from tests.browser.conftest import Pages, Services, staff_log_in, wallet_log_in

# Links a crawl does not follow: the language switch (each start page is visited in English
# separately) and what answers with a file rather than a page (checked for status only).
_LANGUAGE = "lang"
_ID = re.compile(r"/(?:[0-9a-f]{16,}|[A-Za-z0-9_-]{20,}|\d+)(?=/|$|\.)")
_PER_PATTERN = 2


def crawl(pages: Pages, start: str, *, limit: int = 80) -> list[str]:
    """Follow same-origin links breadth first from `start`; returns the HTML pages checked."""
    origin = urlsplit(start)[:2]
    queue: list[tuple[str, bool]] = [(start, False)]
    seen_patterns: dict[str, int] = {}
    seen: set[str] = set()
    checked: list[str] = []
    while queue and len(checked) < limit:
        url, download = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        pattern = _ID.sub("/{id}", urlsplit(url).path) + "?" + "&".join(
            sorted(k for k, _ in parse_qsl(urlsplit(url).query)))
        if seen_patterns.get(pattern, 0) >= _PER_PATTERN:
            continue
        seen_patterns[pattern] = seen_patterns.get(pattern, 0) + 1
        answer = pages.context.request.get(url, max_redirects=5)
        is_page = answer.headers.get("content-type", "").startswith("text/html")
        if download and answer.status in (409, 422) and is_page:
            # A download that cannot be made now (a CLR with only revoked badges, say)
            # answers with a page that says why: that page passes the checks too.
            pages.page.goto(url)
            pages.check()
            checked.append(url)
            continue
        assert answer.status < 400, f"{url} answers {answer.status} (linked from this site)"
        if not is_page or "attachment" in answer.headers.get("content-disposition", ""):
            continue
        pages.goto(url)
        checked.append(url)
        links = pages.page.eval_on_selector_all(
            "a[href]", "links => links.map(a => [a.href, a.hasAttribute('download')])")
        for link, is_download in links:
            parts = urlsplit(link)
            if parts[:2] != origin:
                continue
            query = [(k, v) for k, v in parse_qsl(parts.query) if k != _LANGUAGE]
            clean = urlunsplit((*parts[:3], urlencode(query), ""))
            if clean not in seen:
                queue.append((clean, is_download))
    return checked


def in_english(pages: Pages, url: str) -> None:
    """The same page in English (lang="en", axe and 360 px again), then back to Dutch."""
    joiner = "&" if "?" in url else "?"
    pages.goto(f"{url}{joiner}lang=en")
    assert pages.page.locator("html").get_attribute("lang") == "en"
    pages.goto(f"{url}{joiner}lang=nl")


def test_issuer_pages(services: Services, new_person: Any) -> None:
    visitor = new_person()
    public = crawl(visitor, f"{services.issuer}/")
    in_english(visitor, f"{services.issuer}/staff/login")
    staff = new_person()
    staff_log_in(staff, services.issuer, "staf@delinde.example")
    staff_pages = crawl(staff, f"{services.issuer}/staff/")
    in_english(staff, f"{services.issuer}/staff/")
    staff.screenshot("issuer-staff-home")
    paths = {urlsplit(u).path for u in staff_pages}
    for expected in ("/staff/", "/staff/achievements", "/staff/frameworks", "/staff/issue",
                     "/staff/offers", "/staff/issued", "/staff/endorsements"):
        assert any(p.rstrip("/") == expected.rstrip("/") for p in paths), (expected, paths)
    assert len(public) + len(staff_pages) >= 12, staff_pages


def test_wallet_pages(services: Services, new_person: Any) -> None:
    visitor = new_person()
    public = crawl(visitor, f"{services.wallet}/login")
    in_english(visitor, f"{services.wallet}/login")
    teacher = new_person()
    wallet_log_in(teacher, services.wallet, "leraar@example.org")
    owner_pages = crawl(teacher, f"{services.wallet}/")
    in_english(teacher, f"{services.wallet}/")
    areas = {urlsplit(u).path.split("/")[3] for u in owner_pages if u.count("/") > 4}
    assert {"credentials", "evidence", "reflections", "reports", "shares", "cv", "profile",
            "delegations", "move", "oid4vp"} <= areas, areas
    teacher.screenshot("wallet-dossier", phone=True)

    # A shared link and the public CV are pages for anyone: crawled logged out.
    public += _public_pages(teacher, services, owner_pages, new_person())

    employer = new_person()
    wallet_log_in(employer, services.wallet, "werkgever@example.org")
    delegate_pages = crawl(employer, f"{services.wallet}/")
    assert len(public) + len(owner_pages) + len(delegate_pages) >= 25


def _public_pages(teacher: Pages, services: Services, owner_pages: list[str],
                  visitor: Pages) -> list[str]:
    page = teacher.page
    dossier = next(u for u in owner_pages if re.fullmatch(r".*/d/[0-9a-f]+/?", u))
    teacher.goto(f"{dossier.rstrip('/')}/cv")
    page.check("#f-enabled")
    for box in page.locator("input[name=credential], input[name=evidence]").all()[:2]:
        box.check()
    page.click("form[action$='/cv'] button[type=submit]")
    page.wait_for_load_state("load")
    teacher.check()
    links = [page.locator("a[href*='/cv/']").first.get_attribute("href") or ""]
    shares = [u for u in owner_pages if re.search(r"/shares/[0-9a-f]+$", u)]
    for share in shares[:1]:
        teacher.goto(share)
        links.append(page.locator("#share-link").input_value())
    checked = []
    for link in links:
        assert link.startswith(services.wallet), links
        checked += crawl(visitor, link, limit=5)
    visitor.goto(links[0])
    visitor.screenshot("wallet-public-cv", phone=True)
    return checked


def test_verifier_pages(services: Services, new_person: Any) -> None:
    employer = new_person()
    checked = crawl(employer, f"{services.verifier}/")
    in_english(employer, f"{services.verifier}/")
    assert {"/", "/oid4vp"} <= {urlsplit(u).path for u in checked}, checked


@pytest.mark.parametrize("path", ["issuer/staff/bestaat-niet", "wallet/bestaat-niet",
                                  "wallet/d/0000/evidence", "verifier/bestaat-niet"])
def test_error_pages_are_pages_too(services: Services, new_person: Any, path: str) -> None:
    """A mistyped address in the browser gets a readable page in the site's layout that
    passes the same checks, not an API's JSON."""
    visitor = new_person()
    service, rest = path.split("/", 1)
    if service == "wallet":
        wallet_log_in(visitor, services.wallet, "leraar@example.org")
    response = visitor.page.goto(f"{getattr(services, service)}/{rest}")
    assert response is not None and response.status == 404
    assert response.headers["content-type"].startswith("text/html")
    assert visitor.page.locator("main h1").count() == 1
    visitor.check()
