"""Who may talk to the lab: the Host allow-list (DNS rebinding), the Origin check, the access
token of a non-loopback server, and the security headers of every response."""

import warnings

import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from backproplab.lab import create_app, make_server
from backproplab.lab.security import TOKEN_COOKIE, Access, host_name, is_loopback
from backproplab.lab.server import lab_url

CSV = "x1,x2,label\n" + "".join(f"{i % 7},{i % 5},{i % 2}\n" for i in range(30))


def lab_client(access=None, host="127.0.0.1:8000"):
    return TestClient(create_app(access=access), base_url=f"http://{host}")


def refused_upgrade(client, url, **headers) -> int:
    with pytest.raises(WebSocketDisconnect) as info, client.websocket_connect(url,
                                                                              headers=headers):
        pass
    return info.value.code


def welcome(client, url, **headers) -> dict:
    with client.websocket_connect(url, headers=headers) as ws:
        return ws.receive_json()


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "[::1]:8000",
                                  "LOCALHOST", "127.0.0.1"])
def test_loopback_names_are_allowed(host):
    with lab_client(host=host) as client:
        assert client.get("/").status_code == 200
        assert welcome(client, f"ws://{host}/ws")["type"] == "welcome"


def test_dns_rebinding_is_refused_on_every_route():
    """A page on evil.example whose name resolves to 127.0.0.1: same origin for the browser,
    but the Host is not one the lab answers to."""
    evil = {"origin": "http://evil.example:8000"}
    with lab_client(host="evil.example:8000") as client:
        page = client.get("/")
        assert page.status_code == 403 and "evil.example" in page.text
        assert client.get("/static/js/main.js").status_code == 403
        assert client.post("/api/csv?session=x", content=CSV, headers=evil).status_code == 403
        assert refused_upgrade(client, "ws://evil.example:8000/ws", **evil) == 1008
        assert refused_upgrade(client, "ws://evil.example:8000/ws") == 1008
        assert len(client.app.state.lab) == 0


def test_cross_origin_requests_to_an_allowed_host_are_refused():
    with lab_client() as client:
        evil = {"origin": "http://evil.example"}
        assert refused_upgrade(client, "ws://127.0.0.1:8000/ws", **evil) == 1008
        session = welcome(client, "ws://127.0.0.1:8000/ws")["session"]
        assert client.post(f"/api/csv?session={session}", content=CSV,
                           headers=evil).status_code == 403
        assert client.post(f"/api/csv?session={session}", content=CSV,
                           headers={"origin": "http://127.0.0.1:8000"}).status_code != 403


def test_allow_host_adds_a_name():
    access = Access.for_server("127.0.0.1", allow_hosts=["lab.school.example"])
    with lab_client(access, host="lab.school.example") as client:
        assert client.get("/").status_code == 200
        assert welcome(client, "ws://lab.school.example/ws",
                       origin="http://lab.school.example")["type"] == "welcome"
    with lab_client(access, host="other.example") as client:
        assert client.get("/").status_code == 403


def test_every_response_carries_the_security_headers():
    with lab_client() as client:
        for response in (client.get("/"), client.get("/static/js/main.js"),
                         client.get("/nothing-here"), lab_client(host="evil.example").get("/")):
            csp = response.headers["content-security-policy"]
            assert "script-src 'self';" in csp and "unsafe-inline" not in csp.split(
                "script-src")[1].split(";")[0]
            assert "frame-ancestors 'self'" in csp
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["referrer-policy"] == "no-referrer"
            assert response.headers["x-frame-options"] == "SAMEORIGIN"


def test_frame_ancestors_let_a_notebook_page_embed_the_lab():
    access = Access.for_server("127.0.0.1", frame_ancestors=["http://localhost:8888/"])
    with lab_client(access) as client:
        headers = client.get("/").headers
    assert headers["content-security-policy"].endswith(
        "frame-ancestors 'self' http://localhost:8888")
    assert "x-frame-options" not in headers
    with pytest.raises(ValueError, match="not an origin"):
        Access.for_server("127.0.0.1", frame_ancestors=["localhost:8888; script-src *"])


def test_non_loopback_server_gets_a_token_printed_in_its_url():
    server = make_server("0.0.0.0", 0)
    token = server.access.token
    assert token and len(token) >= 24
    assert lab_url("0.0.0.0", 8000, server.access) == f"http://127.0.0.1:8000/?token={token}"
    assert make_server("127.0.0.1", 0).access.token is None
    assert make_server("0.0.0.0", 0).access.token != token


def test_token_is_required_on_every_http_and_websocket_request():
    access = Access.for_server("0.0.0.0", token="s3cret-token-for-the-test")
    with lab_client(access, host="192.168.1.5:8000") as client:
        assert client.get("/").status_code == 403
        assert client.get("/static/lab.css").status_code == 403
        assert client.get("/?token=wrong").status_code == 403
        assert refused_upgrade(client, "ws://192.168.1.5:8000/ws") == 1008
        assert client.post("/api/csv?session=x", content=CSV).status_code == 403
        first = client.get("/?token=s3cret-token-for-the-test")
        assert first.status_code == 200
        cookie = first.headers["set-cookie"]
        assert cookie.startswith(f"{TOKEN_COOKIE}=s3cret-token-for-the-test;")
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert client.get("/static/lab.css").status_code == 200  # the cookie now
        assert welcome(client, "ws://192.168.1.5:8000/ws")["type"] == "welcome"
    with lab_client(access, host="192.168.1.5:8000") as fresh:
        headers = {"authorization": "token s3cret-token-for-the-test"}
        assert fresh.get("/", headers=headers).status_code == 200
        assert fresh.get("/", headers={"cookie": 'x="unterminated'}).status_code == 403


def test_remote_server_answers_to_ip_addresses_and_its_names_only():
    access = Access.for_server("0.0.0.0", token="t" * 24)
    assert access.host_allowed("10.0.0.7:8000") and access.host_allowed("[fe80::1]:8000")
    assert not access.host_allowed("evil.example:8000")


@pytest.mark.parametrize("netloc, name", [("127.0.0.1:8000", "127.0.0.1"),
                                          ("[::1]:8000", "::1"), ("[::1]", "::1"),
                                          ("Example.org", "example.org"), ("::1", "::1")])
def test_host_name_strips_port_and_brackets(netloc, name):
    assert host_name(netloc) == name


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("localhost", True),
                                            ("::1", True), ("127.0.0.2", True),
                                            ("0.0.0.0", False), ("::", False),
                                            ("192.168.1.5", False), ("lab.example", False)])
def test_is_loopback(host, loopback):
    assert is_loopback(host) is loopback
