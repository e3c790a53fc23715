"""The web chat page in Debian's headless Chromium, driven by Playwright: sign in,
send a message and watch the reply stream in, see a goal appear, open the crisis
resources, export, delete; an XSS payload in a reply stays text. One screenshot is
kept and checked."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.server.conftest import Server, running

CHROMIUM = os.environ.get("HEARTEN_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{CHROMIUM} is missing: scripts/test installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def page_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("page")
    with running(home, "sqlite", "--stream-delay", "0.05") as server:
        yield server


class Watch:
    """Everything the page asked for, and every error it printed."""

    def __init__(self, page: Any, server: Server) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.origin = server.url

    def foreign(self) -> list[str]:
        return [u for u in self.requests if not u.startswith((self.origin, "blob:", "data:"))]


def sign_in(page: Any, server: Server, token: str) -> None:
    page.goto(server.url + "/")
    page.fill("#token", token)
    page.click("#signin-form button[type=submit]")
    page.wait_for_selector("#log li.message.assistant")


def test_a_conversation_in_the_browser(browser: Any, page_server: Server, tmp_path: Path) -> None:
    token = page_server.add_user("ivy")
    context = browser.new_context(accept_downloads=True, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    watch = Watch(page, page_server)
    response = page.goto(page_server.url + "/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.is_visible("#crisis-open")  # help is there before signing in
    sign_in(page, page_server, token)
    assert "stays on this machine" in page.inner_text("#privacy")

    # The reply streams in: part of it is on the page while the rest is on its way.
    page.fill(
        "#message", "Work has been so stressful lately and my boss keeps piling projects on me."
    )
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => { const b = document.querySelector('[aria-busy=true] .text');"
        " return b && b.textContent.split(' ').length >= 2 }"
    )  # fmt: skip
    partial = page.inner_text("[aria-busy=true] .text")
    page.wait_for_selector("#log li.message.assistant:not([aria-busy]) >> nth=1")
    final = page.locator("#log li.message.assistant").nth(1).inner_text()
    assert final.endswith(page.locator("#log li.message.assistant .text").nth(1).inner_text())
    full = page.locator("#log li.message.assistant .text").nth(1).inner_text()
    assert full.startswith(partial.strip()) and len(full) > len(partial)

    # A step the person chooses shows up among their goals; the mood chart grows.
    page.fill("#message", "I think I'll take a short walk at lunch a few times this week.")
    page.keyboard.press("Enter")
    page.wait_for_selector("#goals li .goal-text")
    assert "walk" in page.inner_text("#goals")
    page.wait_for_function("() => document.querySelectorAll('#mood-chart circle').length === 2")
    assert "Mood over 2 messages" in page.inner_text("#mood-summary")

    # The crisis resources, one click away.
    page.click("#crisis-open")
    page.wait_for_selector("#crisis[open] #lines li")
    assert "988" in page.inner_text("#crisis")
    assert page.inner_text("#emergency") == "911"
    page.click("#crisis button[value=close]")

    shot = page.screenshot(path=str(tmp_path / "page.png"), full_page=True)
    keep = os.environ.get("HEARTEN_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(tmp_path / "page.png", Path(keep) / "chat.png")
    assert shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 20_000

    # Export everything as JSON.
    with page.expect_download() as download:
        page.click("#export")
    exported = json.loads(Path(download.value.path()).read_text("utf-8"))
    said = [m["text"] for c in exported["conversations"] for m in c["messages"]]
    assert "I think I'll take a short walk at lunch a few times this week." in said
    assert exported["goals"][0]["status"] == "open"

    # Delete everything: signed out, and the token is gone with the data.
    page.click("#delete-open")
    page.click("#delete-confirm")
    page.wait_for_selector("#signin:not([hidden])")
    assert "deleted" in page.inner_text("#signin-error")
    r = httpx.get(page_server.url + "/api/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    assert watch.foreign() == []
    assert watch.errors == []
    context.close()


def test_html_in_a_reply_is_shown_as_text(browser: Any, page_server: Server) -> None:
    token = page_server.add_user("rook")
    context = browser.new_context()
    page = context.new_page()
    watch = Watch(page, page_server)
    sign_in(page, page_server, token)
    # In the person's own message (echoed back in the reply's restatement) ...
    page.fill("#message", f"My boss {XSS} keeps piling projects on me and I feel crushed.")
    page.keyboard.press("Enter")
    page.wait_for_selector("#log li.message.assistant:not([aria-busy]) >> nth=1")
    # ... and in a stored reply, as a model might write one.
    with sqlite3.connect(page_server.db_path) as db:
        db.execute("update messages set text = ? where id = (select max(id) from messages "
                   "where role = 'assistant')", (f"Here you go: {XSS} <b>bold</b>",))  # fmt: skip
    page.reload()
    page.wait_for_selector("#log li.message.assistant >> nth=1")
    assert page.evaluate("() => window.__xss") is None
    assert page.locator("#log img, #log script, #log b").count() == 0
    assert XSS in page.inner_text("#log")
    assert "<b>bold</b>" in page.inner_text("#log")

    # A message the server refuses comes back into the box, with the reason shown.
    page.evaluate("() => send('x'.repeat(8001))")
    page.wait_for_function("() => document.getElementById('chat-error').textContent !== ''")
    assert "8000" in page.inner_text("#chat-error")
    assert page.input_value("#message") == "x" * 8001
    assert watch.foreign() == []
    context.close()


def test_the_page_says_when_messages_leave_the_machine(browser: Any, tmp_path: Path) -> None:
    # Nothing is sent here, so the LLM server named below is never contacted.
    env = {"HEARTEN_VOICE": "openai", "HEARTEN_LLM_BASE_URL": "http://llm.example:8000/v1",
           "HEARTEN_LLM_MODEL": "some-model"}  # fmt: skip
    with running(tmp_path, "sqlite", "--encoder", "none", env=env) as server:
        context = browser.new_context()
        page = context.new_page()
        watch = Watch(page, server)
        sign_in(page, server, server.add_user("wren"))
        note = page.inner_text("#privacy")
        assert "llm.example" in note and "sent there" in note
        assert watch.foreign() == []
        context.close()
