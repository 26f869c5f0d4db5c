"""Where the browser tests find Chromium, and what happens when it is missing.

A missing browser never skips the browser tests silently: the run FAILS with the exact command
that installs it. Only a developer who asks (BACKPROPLAB_SKIP_BROWSER_TESTS=1, never honoured
when CI is set) gets a skip instead.
"""

import os
import shutil
from pathlib import Path

import pytest

INSTALL = ("sudo apt-get install -y chromium   (Debian/Ubuntu; or set BACKPROPLAB_CHROMIUM "
           "to a Chromium or Chrome binary)")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def _missing(what: str) -> None:
    message = f"the lab's browser tests need {what}"
    if os.environ.get("BACKPROPLAB_SKIP_BROWSER_TESTS") == "1" and not os.environ.get("CI"):
        pytest.skip(f"{message} (skipped: BACKPROPLAB_SKIP_BROWSER_TESTS=1)",
                    allow_module_level=True)
    pytest.fail(message, pytrace=False)


def sync_playwright():
    """Playwright's ``sync_playwright``, or a failure saying how to install it."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright for Python: pip install 'playwright>=1.40' (or the [test] extra)")
    return sync_playwright


def chromium() -> str:
    """The Chromium binary to drive, or a failure naming the command that installs it."""
    path = os.environ.get("BACKPROPLAB_CHROMIUM") or shutil.which("chromium") or \
        "/usr/bin/chromium"
    if not Path(path).exists():
        _missing(f"Chromium, which is not installed at {path}: {INSTALL}")
    return path
