"""Alerts for saved searches, end to end: a real SMTP server (aiosmtpd) and an HTTP receiver on loopback,
and a file; deliveries recorded in the database on both backends."""

from __future__ import annotations

import json
import socket
import threading
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from aggregator import repository
from aggregator.cli import main
from aggregator.config import ConfigError, load_config
from aggregator.db import make_engine, upgrade_to_head
from aggregator.job_assignment import assign_jobs
from tests.conftest import query
from tests.test_query import POSTINGS, posting


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


class Receiver:
    """A loopback HTTP endpoint that records JSON posts and answers with ``status``."""

    def __init__(self):
        self.posts: list[dict] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.status == 200:
                    receiver.posts.append(json.loads(body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def setup(database_url, tmp_path, monkeypatch):
    engine = make_engine(database_url)
    upgrade_to_head(engine)
    assign_jobs(engine, repository.upsert_postings(engine, POSTINGS, None).written_ids)
    mailbox, smtp_port = Mailbox(), _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    receiver = Receiver()
    (tmp_path / "aggregator.toml").write_text(
        f"""
[smtp]
host = "127.0.0.1"
port = {smtp_port}
sender = "jobs@example.org"

[alerts.cpp]
query = "c++"
email = "me@example.org"

[alerts.developers]
query = "developer"
remote_only = true
webhook = "{receiver.url}"

[alerts.germany]
country = "DE"
file = "{tmp_path / "alerts.ndjson"}"
""",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AGGREGATOR_DATABASE_URL", database_url)
    state = {"engine": engine, "mailbox": mailbox, "receiver": receiver, "controller": controller, "tmp": tmp_path,
             "url": database_url, "smtp_port": smtp_port}  # fmt: skip
    yield state
    state["controller"].stop()
    receiver.close()
    engine.dispose()


def test_each_saved_search_sends_its_new_jobs_once(setup, capsys):
    assert main(["alerts", "send"]) == 0
    out = capsys.readouterr().out
    assert "alert cpp: sent 1 job(s)" in out and "alert germany: sent 1 job(s)" in out
    ((recipients, mail),) = setup["mailbox"].messages
    assert recipients == ["me@example.org"] and mail["From"] == "jobs@example.org"
    body = mail.get_payload()
    assert body.count("Senior C++ Engineer") == 1  # one job on three boards is one entry
    assert "CAD 95k–105k/yr" in body
    ((post,),) = [setup["receiver"].posts]
    assert post["alert"] == "developers"
    assert sorted(job["title"] for job in post["jobs"]) == ["C# Developer", "Node.js Developer"]
    (line,) = (setup["tmp"] / "alerts.ndjson").read_text(encoding="utf-8").splitlines()
    assert [job["title"] for job in json.loads(line)["jobs"]] == ["C# Developer"]

    # Nothing new: nothing is sent again.
    assert main(["alerts", "send"]) == 0
    assert "sent 0 job(s)" in capsys.readouterr().out
    assert len(setup["mailbox"].messages) == 1 and len(setup["receiver"].posts) == 1

    # A new matching job goes out alone.
    written = repository.upsert_postings(
        setup["engine"], [posting("delta", "rust-cpp", "Embedded C++ Developer", "C++ and Zephyr", company="Zed")], None
    ).written_ids
    assign_jobs(setup["engine"], written)
    assert main(["alerts", "send", "cpp"]) == 0
    assert len(setup["mailbox"].messages) == 2
    second = setup["mailbox"].messages[1][1].get_payload()
    assert "Embedded C++ Developer" in second and "Senior C++ Engineer" not in second


def test_a_failed_delivery_is_recorded_and_retried(setup, capsys):
    setup["receiver"].status = 500
    assert main(["alerts", "send", "developers"]) == 1
    assert "FAILED" in capsys.readouterr().out
    (failed,) = query(setup["url"], "SELECT * FROM alert_deliveries WHERE alert = 'developers'")
    assert failed["status"] == "failed" and "500" in failed["error"] and failed["jobs_count"] == 2
    assert query(setup["url"], "SELECT * FROM alert_jobs") == []
    assert main(["alerts", "list"]) == 0
    listed = capsys.readouterr().out
    developers = next(line for line in listed.splitlines() if line.startswith("developers"))
    assert "failed" in developers and developers.split()[-1] == "2"

    setup["receiver"].status = 200
    assert main(["alerts", "send", "developers"]) == 0
    ((post,),) = [setup["receiver"].posts]
    assert len(post["jobs"]) == 2
    assert len(query(setup["url"], "SELECT * FROM alert_jobs WHERE alert = 'developers'")) == 2


def test_smtp_down_then_up(setup, capsys):
    setup["controller"].stop()
    assert main(["alerts", "send", "cpp"]) == 1
    assert "FAILED" in capsys.readouterr().out
    setup["controller"] = Controller(setup["mailbox"], hostname="127.0.0.1", port=setup["smtp_port"])
    setup["controller"].start()
    assert main(["alerts", "send", "cpp"]) == 0
    assert len(setup["mailbox"].messages) == 1
    sent = query(setup["url"], "SELECT status FROM alert_deliveries WHERE alert = 'cpp' ORDER BY id")
    assert [row["status"] for row in sent] == ["failed", "sent"]


@pytest.mark.parametrize(
    "table, complaint",
    [
        ('query = "go"\nemail = "a@b.org"\nwebhook = "http://x"', "exactly one"),
        ('query = "go"', "exactly one"),
        ('country = "Germany"\nfile = "x"', "alerts.bad.country"),
        ('min_salary = 50000\nfile = "x"', "currency"),
        ('colour = "red"\nfile = "x"', "colour"),
        ('webhook = "ftp://x"', "http"),
    ],
)
def test_alert_tables_are_validated(tmp_path, table, complaint):
    path = tmp_path / "aggregator.toml"
    path.write_text(f"[alerts.bad]\n{table}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=complaint):
        load_config(path)


def test_a_good_alert_table_loads(tmp_path):
    path = tmp_path / "aggregator.toml"
    path.write_text('[alerts.go]\nquery = "golang"\ntimezone = "UTC+2"\nremote_only = true\nfile = "x"\n')
    alert = load_config(path).alerts["go"]
    assert alert.filters.q == "golang" and alert.filters.remote_only and alert.destination == "file:x"
