"""WebSocket compression: off on loopback (it only costs the web process CPU there), on for a
lab reached over a network, and either when asked."""

import json

import pytest

pytest.importorskip("uvicorn")
websockets_client = pytest.importorskip("websockets.sync.client")

from backproplab.lab import make_server  # noqa: E402
from backproplab.lab.server import compresses  # noqa: E402
from tests.lab_thread import free_port, running  # noqa: E402


def test_compression_is_off_on_loopback_and_on_over_a_network_unless_asked():
    assert not compresses("127.0.0.1") and not compresses("localhost")
    assert not compresses("::1")
    assert compresses("0.0.0.0") and compresses("192.168.1.20")
    assert compresses("127.0.0.1", True) and not compresses("0.0.0.0", False)


@pytest.mark.parametrize("compression", [None, True])
def test_the_socket_negotiates_deflate_only_when_compressing(compression):
    port = free_port()
    server = make_server("127.0.0.1", port, workers=0, compression=compression)
    with running(server), websockets_client.connect(
            f"ws://127.0.0.1:{port}/ws", compression="deflate") as ws:
        welcome = json.loads(ws.recv())
        extensions = ws.response.headers.get("Sec-WebSocket-Extensions", "")
    assert welcome["type"] == "welcome"
    assert ("permessage-deflate" in extensions) == bool(compression)
