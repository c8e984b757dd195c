"""A real SMTP server on 127.0.0.1 (aiosmtpd) for the alert tests, and the Airflow connection to it."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from email.message import Message
from html.parser import HTMLParser
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

REPO_ROOT = Path(__file__).resolve().parents[1]


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def inbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    """The server, started for the test, with READINESS_ALERT_* and the SMTP connection pointing at it."""
    handler = Inbox()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv(
        "AIRFLOW_CONN_READINESS_SMTP",
        f"smtp://127.0.0.1:{port}?disable_tls=true&disable_ssl=true&timeout=10&retry_limit=1",
    )
    monkeypatch.setenv("READINESS_ALERT_TO", "oncall@example.org,finance@example.org")
    monkeypatch.setenv("READINESS_ALERT_FROM", "readiness@example.org")
    yield handler
    controller.stop()


class Tables(HTMLParser):
    """The cells of every table of an HTML body, and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self.tables[-1][-1].append("")

    def handle_data(self, data) -> None:
        self.text.append(data)
        if self.tables and self.tables[-1] and self.tables[-1][-1] and self.lasttag in ("td", "th"):
            self.tables[-1][-1][-1] += data


def body(message: Message) -> Tables:
    parts = [p for p in message.walk() if p.get_content_type() == "text/html"]
    assert len(parts) == 1
    parsed = Tables()
    parsed.feed(parts[0].get_payload(decode=True).decode("utf-8"))
    return parsed


def keep(message: Message, name: str) -> None:
    """The message as it arrived, for a person to read (test-artifacts/ is not committed)."""
    folder = REPO_ROOT / "test-artifacts"
    folder.mkdir(exist_ok=True)
    (folder / f"alert-{name}.eml").write_bytes(message.as_bytes())
