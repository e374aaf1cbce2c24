"""Every wallet page an owner can reach, checked for what WCAG 2.1 AA needs from the markup
and for what the page CSP forbids: the crawl follows the links from the dossier overview
(same site, GET), in Dutch and in English, and checks each HTML page:

- `lang` on <html>, a viewport meta, a <title>, exactly one <h1>, headings that do not skip
  a level (1.3.1, 2.4.6, 3.1.1);
- every visible form control has a label: <label for>, a wrapping <label>, aria-label or
  aria-labelledby (1.3.1, 3.3.2, 4.1.2); ids are unique (4.1.1);
- every <img> has an alt (1.1.1); links and buttons have text (2.4.4, 4.1.2);
- no inline scripts, style attributes or <style> (the CSP would block them, and the page
  would break quietly).

Automated checks in a real browser (axe-core) come with the browser tests.
"""

from __future__ import annotations

import io
from collections import Counter
from urllib.parse import urljoin, urlsplit

from lxml import html
from PIL import Image

from tests.wallet.conftest import Owner, WalletService
from tests.wallet.pages import PageSession

# Downloads, not pages.
SKIP_SUFFIXES = (".pdf", ".png", ".svg", ".json", ".zip", "/file", "/credential", "/qr.png",
                 "/qr.svg", ".html", "/vp", "/clr")


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def _fill(wallet: WalletService, owner: Owner) -> None:
    """Something in each area, so list and detail pages have rows to show."""
    owner.client.post(owner.url("/evidence"), params={"title": "Les 1", "kind": "photo"},
                      content=_png(), headers={"content-type": "image/png"})
    owner.client.post(owner.url("/reflections"), json={"text": "Ik leerde veel."})


def problems_of(page: str) -> list[str]:
    tree = html.fromstring(page)
    found: list[str] = []
    root = tree.getroottree().getroot()
    if not root.get("lang"):
        found.append("<html> has no lang")
    if not tree.xpath('//meta[@name="viewport"]'):
        found.append("no viewport meta")
    if not (tree.findtext(".//title") or "").strip():
        found.append("no title")
    h1 = tree.xpath("//h1")
    if len(h1) != 1:
        found.append(f"{len(h1)} <h1> elements")
    level = 0
    for heading in tree.xpath("//h1|//h2|//h3|//h4|//h5|//h6"):
        this = int(heading.tag[1])
        if level and this > level + 1:
            found.append(f"heading skips from h{level} to h{this}: {heading.text_content()!r}")
        level = this
    ids = Counter(e.get("id") for e in tree.xpath("//*[@id]"))
    found += [f"id {i!r} used {n} times" for i, n in ids.items() if n > 1]
    labelled = {label.get("for") for label in tree.xpath("//label[@for]")}
    for control in tree.xpath("//input|//select|//textarea"):
        if control.get("type") in ("hidden", "submit", "button", "reset", "image"):
            continue
        if control.get("id") in labelled or control.get("aria-label") or \
                control.get("aria-labelledby") or control.xpath("ancestor::label"):
            continue
        found.append(f"unlabelled {control.tag} name={control.get('name')!r}")
    for image in tree.xpath("//img"):
        if image.get("alt") is None:
            found.append(f"img without alt: {image.get('src')!r}")
    for element in tree.xpath("//a|//button"):
        if not element.text_content().strip() and not element.get("aria-label") and \
                not element.xpath(".//img[@alt!='']"):
            found.append(f"{element.tag} without text: {element.get('href')!r}")
    if tree.xpath("//script[not(@src)]"):
        found.append("inline <script>")
    if tree.xpath("//*[@style]") or tree.xpath("//style"):
        found.append("inline style")
    return found


def _crawl(browser: PageSession, start: str, prefix: str, limit: int = 60) -> dict[str, str]:
    seen: dict[str, str] = {}
    queue = [start]
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        answer = browser.get(path)
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
        if not answer.headers.get("content-type", "").startswith("text/html"):
            continue
        seen[path] = answer.text
        for href in html.fromstring(answer.text).xpath("//a[not(@download)]/@href"):
            target = urlsplit(urljoin(f"http://site{path}", href))
            if target.netloc != "site" or not target.path.startswith(prefix) or \
                    target.path.endswith(SKIP_SUFFIXES) or "/export" in target.path:
                continue
            queue.append(target.path)
    return seen


def test_every_owner_page_is_labelled_and_csp_clean(sqlite_wallet: WalletService) -> None:
    owner = sqlite_wallet.create_owner(name="Sanne")
    _fill(sqlite_wallet, owner)
    browser = PageSession(sqlite_wallet)
    browser.log_in(owner.email)
    report: dict[str, list[str]] = {}
    for language in ("nl", "en"):
        browser.get(f"/?lang={language}")
        pages = _crawl(browser, f"/d/{owner.id}", f"/d/{owner.id}")
        assert len(pages) >= 8, sorted(pages)
        for path, page in pages.items():
            problems = problems_of(page)
            if problems:
                report[f"{language} {path}"] = problems
    for path in ("/login", "/signup", "/"):
        problems = problems_of(browser.get(path).text)
        if problems:
            report[path] = problems
    assert report == {}


def test_public_pages_are_labelled(sqlite_wallet: WalletService) -> None:
    anonymous = PageSession(sqlite_wallet)
    for path in ("/login", "/signup", "/login?lang=en"):
        assert problems_of(anonymous.get(path).text) == [], path
