"""The browser tests' setup: a missing Chromium fails with the install command (in CI always),
and skips only when a developer asks for it outside CI."""

import pytest

from tests import chromium


@pytest.fixture
def no_chromium(monkeypatch, tmp_path):
    monkeypatch.setenv("BACKPROPLAB_CHROMIUM", str(tmp_path / "no-such-chromium"))
    monkeypatch.delenv("BACKPROPLAB_SKIP_BROWSER_TESTS", raising=False)


def test_missing_chromium_fails_with_the_command_that_installs_it(no_chromium, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.fail.Exception, match="sudo apt-get install -y chromium"):
        chromium.chromium()


def test_in_ci_a_missing_chromium_fails_even_when_skipping_was_asked(no_chromium, monkeypatch):
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("BACKPROPLAB_SKIP_BROWSER_TESTS", "1")
    with pytest.raises(pytest.fail.Exception, match="apt-get install -y chromium"):
        chromium.chromium()


def test_a_developer_may_skip_on_purpose_outside_ci(no_chromium, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("BACKPROPLAB_SKIP_BROWSER_TESTS", "1")
    with pytest.raises(pytest.skip.Exception, match="BACKPROPLAB_SKIP_BROWSER_TESTS=1"):
        chromium.chromium()


def test_an_installed_chromium_is_found(monkeypatch, tmp_path):
    binary = tmp_path / "chromium"
    binary.write_text("")
    monkeypatch.setenv("BACKPROPLAB_CHROMIUM", str(binary))
    assert chromium.chromium() == str(binary)
