"""A real HTTP receiver on 127.0.0.1 (a thread), with WEBHOOKS_ALLOW_PRIVATE_URLS on so we may post to it."""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str
    status: int = 200
    answer: bytes = b'{"ok": true}'
    requests: list[Received] = field(default_factory=list)


def _handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            receiver.requests.append(Received(self.path, dict(self.headers.items()), body))
            self.send_response(receiver.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(receiver.answer)))
            self.end_headers()
            self.wfile.write(receiver.answer)

        def log_message(self, *args) -> None:  # keep the test output clean
            pass

    return Handler


def _serve():
    receiver = Receiver(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/prm"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, receiver


@pytest.fixture
def allow_private(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True


@pytest.fixture
def receiver(allow_private):
    server, receiver = _serve()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def second_receiver(allow_private):
    server, receiver = _serve()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def third_receiver(allow_private):
    server, receiver = _serve()
    yield receiver
    server.shutdown()
    server.server_close()
