"""Alerts for saved searches: each [alerts.NAME] of aggregator.toml sends the jobs that newly match it.

A job is sent once per saved search: alert_jobs remembers what each one sent, and only a delivery
that succeeded adds to it, so a failed one (SMTP down, webhook 500, unwritable file) is recorded
with its error and its jobs go out with the next attempt. The search answers with jobs, so a job
on three boards is one entry. Destinations: ``email`` (the [smtp] server), ``webhook`` (a JSON POST
``{"alert": name, "jobs": [...]}``) or ``file`` (one JSON line per delivery, appended).
"""

from __future__ import annotations

import json
import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import httpx
from sqlalchemy import Engine

from aggregator import repository
from aggregator.config import AlertConfig, Config, SmtpConfig
from aggregator.present import api_job, salary_text, where_text
from aggregator.query import iter_jobs, sent_job_ids

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 30
# A first delivery of a broad search could hold thousands: the newest this many go, the rest next time.
MAX_JOBS_PER_DELIVERY = 200


@dataclass
class Outcome:
    alert: str
    destination: str
    jobs: int
    error: str | None = None

    def summary(self) -> str:
        if self.error:
            return f"alert {self.alert}: FAILED to send {self.jobs} job(s) to {self.destination}: {self.error}"
        return f"alert {self.alert}: sent {self.jobs} job(s) to {self.destination}"


def pending_jobs(engine: Engine, alert: AlertConfig, exclude_companies=()) -> list[dict]:
    """The jobs matching the saved search that it has not sent yet, newest first."""
    sent = sent_job_ids(engine, alert.name)
    filters = alert.filters.with_excluded(exclude_companies)
    filters = type(filters)(**{**filters.__dict__, "sort": "newest"})
    return [job for job in iter_jobs(engine, filters) if job["id"] not in sent]


def _email(alert: AlertConfig, jobs: list[dict], smtp: SmtpConfig) -> None:
    message = EmailMessage()
    message["Subject"] = f"{len(jobs)} new job(s) for {alert.name}"
    message["From"] = smtp.sender
    message["To"] = alert.email
    lines = [f"{job['title']} — {job['company'] or 'unknown company'}\n  {where_text(job)}  {salary_text(job)}\n"
             f"  {job['url'] or ''}" for job in jobs]  # fmt: skip
    message.set_content("\n\n".join(lines) + "\n")
    with smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT_SECONDS) as server:
        if smtp.starttls:
            # Verified (name and chain): smtplib's default context would accept any certificate.
            ca_file = str(Path(smtp.ca_file).expanduser()) if smtp.ca_file else None
            server.starttls(context=ssl.create_default_context(cafile=ca_file))
        if smtp.username:
            server.login(smtp.username, smtp.password or "")
        server.send_message(message)


def _webhook(alert: AlertConfig, jobs: list[dict]) -> None:
    answer = httpx.post(
        alert.webhook, json={"alert": alert.name, "jobs": [api_job(job) for job in jobs]}, timeout=TIMEOUT_SECONDS
    )
    answer.raise_for_status()


def _file(alert: AlertConfig, jobs: list[dict]) -> None:
    record = {"alert": alert.name, "sent_at": datetime.now(UTC).isoformat(), "jobs": [api_job(job) for job in jobs]}
    with Path(alert.file).expanduser().open("a", encoding="utf-8") as out:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")


def deliver(alert: AlertConfig, jobs: list[dict], smtp: SmtpConfig) -> None:
    """Send ``jobs`` to the alert's destination; raises on any failure."""
    if alert.email:
        _email(alert, jobs, smtp)
    elif alert.webhook:
        _webhook(alert, jobs)
    else:
        _file(alert, jobs)


def send_alerts(engine: Engine, config: Config, names: list[str] | None = None) -> list[Outcome]:
    """Each saved search (or those named) sends what newly matches it; every attempt is recorded."""
    outcomes = []
    for name, alert in config.alerts.items():
        if names and name not in names:
            continue
        jobs = pending_jobs(engine, alert, config.exclude_companies)[:MAX_JOBS_PER_DELIVERY]
        if not jobs:
            outcomes.append(Outcome(name, alert.destination, 0))
            continue
        error = None
        try:
            deliver(alert, jobs, config.smtp)
        except (OSError, smtplib.SMTPException, httpx.HTTPError) as exc:
            error = f"{type(exc).__name__}: {exc}".splitlines()[0]
            logger.warning("Alert %s could not be delivered to %s: %s", name, alert.destination, error)
        repository.record_alert_delivery(engine, name, alert.destination, [job["id"] for job in jobs], error)
        outcomes.append(Outcome(name, alert.destination, len(jobs), error))
    return outcomes
