"""A stand-in for a chat service's incoming webhook (Slack's shape: POST JSON, answer ``ok``) on 127.0.0.1,
and the Airflow connection the alerts reach it through. The chat service is outside the product: this is
the fake of it; the notifier posting to it is Airflow's own."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


class Webhook:
    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.paths: list[str] = []


@pytest.fixture
def webhook(monkeypatch: pytest.MonkeyPatch) -> Iterator[Webhook]:
    received = Webhook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            received.posts.append(json.loads(self.rfile.read(length)))
            received.paths.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:  # keep the test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/services/T000/B000/secret"
    # The connection as an operator writes it: the webhook URL as the password (Airflow's Slack provider).
    monkeypatch.setenv("AIRFLOW_CONN_READINESS_WEBHOOK", json.dumps({"conn_type": "slackwebhook", "password": url}))
    yield received
    server.shutdown()
    server.server_close()
