"""Who may talk to the lab: the Host allow-list, the Origin check, the access token, and the
security headers of every page — the rules Jupyter's server applies, as ASGI middleware.

- **Host**: a request whose ``Host`` is not an allowed name is refused, so a web page whose
  name an attacker re-points at 127.0.0.1 (DNS rebinding) cannot reach a local lab. Allowed
  are localhost, 127.0.0.1 and [::1], the names given with ``--allow-host`` and, on a
  non-loopback ``--host``, the address it listens on, this machine's names and any IP
  address (an address typed as digits cannot be re-pointed).
- **Origin**: a browser request from another origin (a page elsewhere opening the WebSocket or
  posting a CSV file) is refused; requests without an Origin (not a browser) pass.
- **Token**: on a non-loopback ``--host`` the server makes an access token and prints the URL
  with ``?token=…``; the first visit turns it into a cookie, and every HTTP and WebSocket
  request without it is refused.
- **Headers**: a Content-Security-Policy with no inline script, framing by the lab itself
  (plus ``frame_ancestors``, e.g. the Jupyter page that embeds it), no MIME sniffing, no
  Referer (the URL may hold the token).
"""

import ipaddress
import secrets
import socket
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
TOKEN_COOKIE = "backproplab_token"


def is_loopback(host: str) -> bool:
    """True when listening on ``host`` reaches this machine only."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def host_name(netloc: str) -> str:
    """The name in a Host header or URL netloc, lower case, without port or IPv6 brackets."""
    netloc = netloc.strip().lower()
    if netloc.startswith("["):
        return netloc[1:netloc.find("]")] if "]" in netloc else ""
    return netloc.rsplit(":", 1)[0] if netloc.count(":") == 1 else netloc


def _check_origin(origin: str) -> str:
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise ValueError(f"frame ancestor {origin!r} is not an origin such as "
                         "http://localhost:8888")
    return f"{parts.scheme}://{parts.netloc}"


@dataclass(frozen=True)
class Access:
    """The rules one lab server applies (see the module's docstring)."""

    allowed_hosts: frozenset = LOOPBACK_NAMES
    any_ip: bool = False
    """True on a non-loopback bind: any IP address is an allowed Host."""
    token: str | None = None
    frame_ancestors: tuple = ()
    headers: tuple = field(init=False, repr=False)

    def __post_init__(self):
        ancestors = " ".join(("'self'", *self.frame_ancestors))
        csp = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; "
               f"base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}")
        headers = [(b"content-security-policy", csp.encode()),
                   (b"x-content-type-options", b"nosniff"),
                   (b"referrer-policy", b"no-referrer"),
                   (b"cross-origin-resource-policy", b"same-origin")]
        if not self.frame_ancestors:
            headers.append((b"x-frame-options", b"SAMEORIGIN"))
        object.__setattr__(self, "headers", tuple(headers))

    @classmethod
    def for_server(cls, host: str = "127.0.0.1", allow_hosts=(), token: str | None = None,
                   frame_ancestors=()) -> "Access":
        """The rules for a server listening on ``host``: a non-loopback one gets a token
        (``token`` when given) and accepts this machine's names and IP addresses."""
        names = set(LOOPBACK_NAMES) | {host_name(h) for h in allow_hosts}
        remote = not is_loopback(host)
        if remote:
            names |= {host_name(host), socket.gethostname().lower(), socket.getfqdn().lower()}
            token = token or secrets.token_urlsafe(24)
        return cls(frozenset(names - {""}), any_ip=remote, token=token,
                   frame_ancestors=tuple(_check_origin(o) for o in frame_ancestors))

    def host_allowed(self, netloc: str) -> bool:
        name = host_name(netloc)
        return "*" in self.allowed_hosts or name in self.allowed_hosts or \
            (self.any_ip and _is_ip(name))

    def refusal(self, scope) -> str | None:
        """Why the request in ``scope`` is refused, or None when it may go on."""
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        if not self.host_allowed(host):
            return (f"this lab does not answer to the host name {host_name(host)!r}; start it "
                    "with --allow-host NAME to allow it")
        origin = headers.get("origin")
        if origin is not None and urlsplit(origin).netloc.lower() != host.lower():
            return "cross-origin request refused"
        if self.token is not None and not self._has_token(scope, headers):
            return ("this lab needs its access token: open the URL with ?token=… that the "
                    "server printed when it started")
        return None

    def _has_token(self, scope, headers) -> bool:
        offered = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [])
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:  # a malformed Cookie header offers no token
            cookie = SimpleCookie()
        if TOKEN_COOKIE in cookie:
            offered.append(cookie[TOKEN_COOKIE].value)
        scheme, _, value = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "token":
            offered.append(value.strip())
        return any(secrets.compare_digest(t.encode(), self.token.encode()) for t in offered)


class AccessMiddleware:
    """Applies an :class:`Access` to every HTTP and WebSocket request of an ASGI app."""

    def __init__(self, app, access: Access):
        self.app = app
        self.access = access

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        refusal = self.access.refusal(scope)
        if refusal is not None:
            return await self._refuse(scope, receive, send, refusal)
        if scope["type"] == "websocket":
            return await self.app(scope, receive, send)
        return await self.app(scope, receive, self._with_headers(scope, send))

    def _with_headers(self, scope, send):
        set_cookie = self.access.token is not None and b"token=" in scope.get("query_string", b"")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), *self.access.headers]
                if set_cookie:
                    headers.append((b"set-cookie", f"{TOKEN_COOKIE}={self.access.token}; "
                                    "Path=/; HttpOnly; SameSite=Strict".encode()))
                message = {**message, "headers": headers}
            await send(message)

        return send_with_headers

    async def _refuse(self, scope, receive, send, reason: str):
        if scope["type"] == "websocket":
            await receive()  # websocket.connect; closing now answers the upgrade with 403
            await send({"type": "websocket.close", "code": 1008, "reason": reason[:120]})
            return
        body = reason.encode()
        await send({"type": "http.response.start", "status": 403,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                (b"content-length", str(len(body)).encode()),
                                *self.access.headers]})
        await send({"type": "http.response.body", "body": body})
