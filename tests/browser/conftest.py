"""Real headless Chromium (Debian's, never a downloaded one) driven by Playwright."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("TIERLINE_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("TIERLINE_REQUIRE_SERVICES"):
            pytest.fail(f"Chromium is required here but {CHROMIUM} is missing")
        pytest.skip(f"Chromium not installed at {CHROMIUM}")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between page actions are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    # Every page must satisfy the Content-Security-Policy the server sends (tierline.accounts.
    # middleware): Chromium reports what it refused on the console.
    refused = page.csp_refused = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    yield page
    context.close()
    assert not refused, f"the Content-Security-Policy blocked: {refused}"


def log_in(page, email: str, password: str = "pw-for-tests-only") -> None:
    page.goto("/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
