"""The site in a real browser: Debian's Chromium driven by Playwright against a live uvicorn.

Saves screenshots (desktop and phone, light and dark) under artifacts/screenshots/.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from renewcast.store import Store

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium: apt-get install -y chromium"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(built_store: Store) -> Iterator[str]:
    import uvicorn

    from renewcast.web import create_app

    port = free_port()
    config = uvicorn.Config(create_app(built_store.path), host="127.0.0.1", port=port, log_level="warning",
                            ws="none", lifespan="off")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def test_search_season_compare_by_keyboard(server: str, browser: object) -> None:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(server + "/")
    assert page.locator("h1").inner_text() == "Will there be another season?"
    assert page.locator(".lists table").count() == 4
    # Keyboard only: Tab to the search box, type, Enter.
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == "q":
            break
    else:
        pytest.fail("Tab never reached the search box")
    page.keyboard.type("imperfects")
    page.keyboard.press("Enter")
    page.wait_for_url("**/title/the-imperfects-season-1")

    assert page.locator("h1").inner_text() == "The Imperfects: Season 1"
    cells = page.locator("table#weeks tbody tr").all_inner_texts()
    assert "24.07M" in cells[0]
    assert "+45%" in cells[1] and "35.02M" in cells[1]
    assert "-64%" in cells[2] and "12.76M" in cells[2]
    chart = page.locator("svg.chart").first
    assert chart.is_visible()
    assert "views per week since premiere" in (chart.locator("title").first.text_content() or "")

    page.fill("#compare-with", "Resident Evil")
    page.press("#compare-with", "Enter")
    page.wait_for_url("**/compare?**")
    assert page.locator("table#compare tbody tr").count() >= 3
    assert page.locator("svg.chart").count() == 1
    assert errors == []
    context.close()


def test_suggestions_while_typing(server: str, browser: object) -> None:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    page = browser.new_page()
    page.goto(server + "/")
    page.fill("#q", "imperf")
    page.locator("#q-suggestions option").first.wait_for(state="attached")
    assert page.locator("#q-suggestions option").first.get_attribute("value") == "The Imperfects: Season 1"
    page.close()


def test_works_without_javascript(server: str, browser: object) -> None:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "/search?q=imperfects")
    assert page.url.endswith("/title/the-imperfects-season-1")
    assert "24.07M" in page.locator("table#weeks").inner_text()
    context.close()


#: Every kind of page a person reads: none may scroll sideways on a phone.
PAGES = [("home", "/"), ("board", "/board"), ("week", "/week/2026-07-19"),
         ("season", "/title/castlevania-nocturne-season-2"), ("decided", "/title/the-imperfects-season-1"),
         ("show", "/show/stranger-things"),
         ("compare", "/compare?s=the-imperfects-season-1&s=resident-evil-season-1&s=squid-game-season-1"),
         ("track-record", "/track-record"), ("country", "/country/fr"), ("countries", "/countries")]


@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)])
def test_an_undecided_seasons_odds_are_in_the_first_viewport(server: str, browser: object,
                                                              viewport: tuple[int, int]) -> None:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    page.goto(server + "/title/castlevania-nocturne-season-2")
    headline = page.locator("#headline")
    assert "chance of a Season 3" in headline.inner_text()
    box = headline.bounding_box()
    assert box is not None and box["y"] + box["height"] <= viewport[1], box
    page.close()


def test_a_show_page_lists_every_season_and_every_page_links_countries(server: str, browser: object) -> None:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/show/stranger-things")
    rows = page.locator("#show-seasons tbody tr")
    assert rows.count() == 5
    assert "Final season" in rows.nth(4).inner_text()
    for _name, path in PAGES:
        page.goto(server + path)
        assert page.locator('header nav a[href="/countries"]').count() == 1, path
    page.goto(server + "/countries")
    assert page.locator("h2").count() >= 5 and "France" in page.content()
    page.close()


def test_the_static_export_is_styled_from_the_file_system(built_store: Store, browser: object,
                                                          tmp_path: Path) -> None:
    from playwright.sync_api import Browser

    from renewcast.web.site import build_site

    assert isinstance(browser, Browser)
    build_site(built_store.path, tmp_path / "site", limit=2)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((tmp_path / "site" / "index.html").as_uri())
    # The stylesheet loaded (the header is laid out as a flex row) and links stay in the folder.
    assert page.evaluate("getComputedStyle(document.querySelector('header.site')).display") == "flex"
    link = page.locator("main a[href$='.html']").first.get_attribute("href")
    assert link is not None and not link.startswith("/")
    page.locator("main a[href$='.html']").first.click()
    assert page.url.startswith((tmp_path / "site").as_uri())
    assert page.evaluate("getComputedStyle(document.querySelector('header.site')).display") == "flex"
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("device", "viewport"), [("desktop", (1280, 900)), ("phone", (390, 844))])
def test_screenshots(server: str, browser: object, scheme: str, device: str, viewport: tuple[int, int]) -> None:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]},
                                  color_scheme=scheme,  # type: ignore[arg-type]
                                  device_scale_factor=1, is_mobile=device == "phone")
    page = context.new_page()
    for name, path in PAGES:
        page.goto(server + path)
        # Nothing wider than the screen: tables scroll inside their own box.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name} overflows the {device} width by {overflow}px"
        page.screenshot(path=str(SHOTS / f"{name}-{device}-{scheme}.png"), full_page=True)
    context.close()


def _watched(browser: object) -> tuple[Any, list[str], list[str]]:
    """A new page with its console errors and every URL it requests recorded."""
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    page = browser.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    return page, errors, requests


def test_api_docs_work_under_our_csp_with_no_other_origin(server: str, browser: object) -> None:
    page, errors, requests = _watched(browser)
    page.goto(server + "/docs")
    page.wait_for_selector(".opblock", timeout=15_000)
    assert page.locator(".opblock").count() >= 8  # every /api/v1 GET
    assert page.get_by_text("/api/v1/seasons/{slug}").count() >= 1
    assert errors == []
    assert all(u.startswith(server) for u in requests)
    page.close()


def test_redoc_works_under_its_csp_with_no_other_origin(server: str, browser: object) -> None:
    page, errors, requests = _watched(browser)
    page.goto(server + "/redoc")
    page.get_by_text("/api/v1/seasons/{slug}").first.wait_for(timeout=20_000)
    assert "renewcast" in page.locator("h1").first.inner_text()
    assert errors == []
    assert all(u.startswith((server, "blob:", "data:")) for u in requests)  # its renderer's own blob: worker
    page.close()


def test_week_page_and_feed_discovery_in_the_browser(server: str, browser: object) -> None:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    page = browser.new_page(viewport={"width": 390, "height": 900})
    page.goto(server + "/week/2022-09-08")
    assert "Sep 5 – Sep 11, 2022" in page.locator("h1").inner_text()
    page.locator("a[rel=next]").first.click()
    assert page.url.endswith("/week/2022-09-18")
    feeds = page.locator('link[rel=alternate][type="application/atom+xml"]')
    assert feeds.count() == 2
    page.goto(server + "/title/the-imperfects-season-1")
    assert page.locator('link[rel=alternate][href="/feeds/title/the-imperfects-season-1.atom"]').count() == 1
    page.close()
