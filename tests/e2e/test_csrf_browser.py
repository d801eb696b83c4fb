"""A cross-site form post from a page on another loopback port, in headless Chromium, is refused."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from playwright.sync_api import Browser

from storage.keys import Keys
from tests.e2e.conftest import System
from tests.helpers.browser import OUTPUT, launch_chromium
from tests.helpers.web import LoopbackWeb, running_web

VICTIM = "csrf-victim.com"


@pytest.fixture
def chromium() -> Iterator[Browser]:
    yield from launch_chromium()


@pytest.fixture
def evil(system: System, tmp_path: Path) -> Iterator[LoopbackWeb]:
    gateway = str(system.http.base_url).rstrip("/")
    # enctype=text/plain makes the body `{"domain": "...", "x": "="}`: valid JSON, no preflight.
    page = f"""<!doctype html><html><body>
<form method="POST" action="{gateway}/api/v1/backlinks/check" enctype="text/plain">
<input name='{{"domain": "{VICTIM}", "x": "' value='"}}'>
</form><script>document.forms[0].submit()</script></body></html>"""
    for web in running_web([], tmp_path / "ca.pem"):
        web.add("http://127.0.0.1/win-a-prize", page)
        yield web


def test_a_cross_site_form_post_with_the_victims_cookie_is_refused(
    system: System, evil: LoopbackWeb, chromium: Browser, sync_redis: redis.Redis
) -> None:
    gateway = str(system.http.base_url).rstrip("/")
    context = chromium.new_context()
    page = context.new_page()
    page.goto(f"{gateway}/api/v1/csrf")  # the victim has a session with the gateway
    assert any(c["name"] == "bl_session" for c in context.cookies())
    with page.expect_response(lambda r: r.url.endswith("/api/v1/backlinks/check")) as posted:
        page.goto(f"http://127.0.0.1:{evil.http_port}/win-a-prize")
    response = posted.value
    assert "bl_session=" in response.request.all_headers().get("cookie", ""), "the browser sent the cookie"
    assert response.status == 403
    assert response.json()["error"]["code"] == "invalid_csrf"
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "csrf-refused.png"))
    keys = Keys(system.settings.namespace)
    assert sync_redis.get(keys.inflight(VICTIM, False, False)) is None, "no check was started"
    context.close()
