"""Whether a run marked ``running`` still has its crawl process: judged by host + PID + start time.

A PID alone is not enough: after a crash or a reboot the PID of a killed crawl is soon reused by
some other process, and the run would look alive forever. A run records the host, the PID and the
start time of its process; the run is alive only while a process with that PID *and* that start
time exists on that host. Runs of other hosts are left alone (they cannot be checked from here).
"""

from __future__ import annotations

import os
import socket
from typing import Any

import psutil
from sqlalchemy import Engine

from aggregator import repository

HOST = "aggregator/host"
PID = "aggregator/pid"
STARTED = "aggregator/process_started"
# The scrapyd job a part of a split crawl runs as (aggregator.cluster watches it through scrapyd).
SCRAPYD_JOB = "aggregator/scrapyd_job"
# A run whose process beats (a split crawl's coordinator: aggregator.cluster) records how often; it
# is judged by its heartbeat on every host alike, not by its PID (repository.fail_lost_runs).
HEARTBEAT_SECONDS = "aggregator/heartbeat_seconds"

# psutil gives a start time as boot time + ticks since boot; the kernel reports the boot time in
# whole seconds, moved by clock adjustments, so two readings of one process may differ by about a
# second. A reused PID belongs to a process started later than that.
START_TIME_TOLERANCE_SECONDS = 2.0


def identity(pid: int | None = None) -> dict[str, Any]:
    """What a run records about the process that runs it."""
    pid = pid or os.getpid()
    return {HOST: socket.gethostname(), PID: pid, STARTED: psutil.Process(pid).create_time()}


def is_alive(recorded: dict[str, Any]) -> bool:
    """Whether the process described by ``recorded`` (see identity) is still running on this host."""
    pid = recorded.get(PID)
    if not isinstance(pid, int):
        return True  # nothing to judge by: leave the run alone
    try:
        process = psutil.Process(pid)
        started = process.create_time()
        if process.status() == psutil.STATUS_ZOMBIE:
            return False  # killed; its parent has not collected it yet
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return True  # someone else's process: cannot tell, so leave the run alone
    recorded_start = recorded.get(STARTED)
    if not isinstance(recorded_start, int | float):
        return True  # a run recorded before start times were: the PID is all there is
    return abs(started - recorded_start) <= START_TIME_TOLERANCE_SECONDS


def mark_dead_runs(engine: Engine, spider: str | None = None) -> int:
    """Mark this host's runs whose process is gone (SIGKILL, power loss) ``interrupted``, and any
    host's beating runs whose heartbeat stopped ``failed``."""
    lost = len(repository.fail_lost_runs(engine))

    def process_alive(stats: dict[str, Any]) -> bool:
        return HEARTBEAT_SECONDS in stats or is_alive(stats)

    return lost + repository.abandon_dead_runs(engine, spider, socket.gethostname(), process_alive)
