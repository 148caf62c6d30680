"""Alerts over the wire: SMTP with STARTTLS and a required login against a real aiosmtpd on loopback,
and the scheduler's crawl job delivering a saved search's new jobs by email and webhook."""

from __future__ import annotations

import datetime
import ipaddress
import ssl

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from aggregator import repository
from aggregator.cli import main
from aggregator.db import make_engine, upgrade_to_head
from aggregator.job_assignment import assign_jobs
from aggregator.replay import ReplayProxy, Snapshot
from aggregator.scheduler import scheduled_crawl
from tests.conftest import SITE, posting_page, query, small_site
from tests.test_alerts import Mailbox, Receiver, _free_port
from tests.test_query import POSTINGS
from tests.test_scheduler import write_config

LOGIN, PASSWORD = "alerts", "s3cret"


def _self_signed(folder) -> tuple[str, str]:
    """A certificate for 127.0.0.1 that signs itself, and its key: (certificate path, key path)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "aggregator test SMTP")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp.pem", folder / "smtp.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(cert_path), str(key_path)


class TlsMailbox(Mailbox):
    """Records, with each message, whether its session was encrypted and logged in."""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.sessions = [*getattr(self, "sessions", []), (session.ssl is not None, session.authenticated)]
        return await super().handle_DATA(server, session, envelope)


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        LOGIN.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 235 or 535 itself


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("smtp-tls")
    cert, key = _self_signed(folder)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    mailbox, port = TlsMailbox(), _free_port()
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
        auth_required=True, auth_require_tls=True, authenticator=_authenticator,
    )  # fmt: skip
    controller.start()
    yield {"mailbox": mailbox, "port": port, "cert": cert}
    controller.stop()


@pytest.fixture(scope="module")
def filled_sqlite(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('smtp-db') / 'jobs.db'}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    assign_jobs(engine, repository.upsert_postings(engine, POSTINGS, None).written_ids)
    engine.dispose()
    return url


def _smtp_config(tmp_path, database_url, server, *, password=PASSWORD, ca_file=True) -> str:
    ca = f'ca_file = "{server["cert"]}"\n' if ca_file else ""
    path = tmp_path / "aggregator.toml"
    path.write_text(
        f'database_url = "{database_url}"\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {server["port"]}\nsender = "jobs@example.org"\n'
        f'username = "{LOGIN}"\npassword = "{password}"\nstarttls = true\n{ca}'
        '[alerts.cpp]\nquery = "c++"\nemail = "me@example.org"\n',
        encoding="utf-8",
    )
    return str(path)


@pytest.mark.parametrize(
    "password, ca_file, complaint",
    [("wrong", True, "SMTPAuthenticationError"), (PASSWORD, False, "CERTIFICATE_VERIFY_FAILED")],
)
def test_no_mail_without_the_password_or_a_trusted_certificate(
    tls_server, filled_sqlite, tmp_path, capsys, password, ca_file, complaint
):
    before = len(tls_server["mailbox"].messages)
    config = _smtp_config(tmp_path, filled_sqlite, tls_server, password=password, ca_file=ca_file)
    assert main(["--config", config, "alerts", "send"]) == 1
    assert complaint in capsys.readouterr().out
    assert len(tls_server["mailbox"].messages) == before


def test_mail_goes_over_starttls_with_a_login(tls_server, filled_sqlite, tmp_path, capsys):
    config = _smtp_config(tmp_path, filled_sqlite, tls_server)
    assert main(["--config", config, "alerts", "send"]) == 0, capsys.readouterr().out
    recipients, mail = tls_server["mailbox"].messages[-1]
    assert recipients == ["me@example.org"] and "Senior C++ Engineer" in mail.get_payload()
    assert tls_server["mailbox"].sessions[-1] == (True, True)  # encrypted, logged in
    sent = query(filled_sqlite, "SELECT status FROM alert_deliveries WHERE alert = 'cpp' ORDER BY id")
    assert sent[-1]["status"] == "sent"


def test_the_scheduled_crawl_sends_each_saved_search_its_new_jobs(tmp_path, database_url, monkeypatch):
    """scheduled_crawl is what the scheduler runs per board: the crawl, then the saved searches."""
    mailbox, smtp_port = Mailbox(), _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    receiver = Receiver()
    alerts = (
        f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\nsender = "jobs@example.org"\n'
        '[alerts.gardening]\nquery = "gardener"\nemail = "me@example.org"\n'
        f'[alerts.everything]\nwebhook = "{receiver.url}"\n'
        '[alerts.nothing]\nquery = "astronaut"\nemail = "me@example.org"\n'
    )
    config = write_config(tmp_path / "aggregator.toml", database_url, "0 2 * * *", extra=alerts)
    site = small_site(
        tmp_path / "site", {f"{SITE}/job/gardener-1": [{"status": 200, "text": posting_page("Gardener")}]}
    )
    try:
        with ReplayProxy(Snapshot.load(site)) as proxy:
            # The crawl (a subprocess) goes through the replay; the webhook on loopback must not.
            monkeypatch.setenv("https_proxy", proxy.url)
            monkeypatch.setenv("http_proxy", proxy.url)
            monkeypatch.setenv("no_proxy", "127.0.0.1")
            scheduled_crawl("remotewlb", str(config))
            assert [run["status"] for run in query(database_url, "SELECT status FROM crawl_runs")] == ["ok"]
            ((recipients, mail),) = mailbox.messages
            assert recipients == ["me@example.org"] and "Gardener" in mail.get_payload()
            ((post,),) = [receiver.posts]
            assert post["alert"] == "everything" and [job["title"] for job in post["jobs"]] == ["Gardener"]

            # The next scheduled crawl finds nothing new: nothing is sent again.
            scheduled_crawl("remotewlb", str(config))
            assert len(mailbox.messages) == 1 and len(receiver.posts) == 1
        deliveries = query(database_url, "SELECT alert, status, jobs_count FROM alert_deliveries ORDER BY id")
        assert [(row["alert"], row["status"], row["jobs_count"]) for row in deliveries] == [
            ("gardening", "sent", 1),
            ("everything", "sent", 1),
        ]
    finally:
        controller.stop()
        receiver.close()
