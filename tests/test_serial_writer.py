"""The crawl's writer process: writes run one at a time, in the order handed over, in one process
other than the crawl's; results come back on the loop's thread; drain waits for all of them; a
failure of the process itself reaches ``failed``; its log records reach the crawl's loggers; it
ends with the crawl's process."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import psutil
import pytest

from aggregator.serial_writer import SerialWriter
from tests.conftest import ROOT


def write(number: int) -> tuple[int, int]:
    return number * 10, os.getpid()


def log_warning(message: str) -> None:
    logging.getLogger("aggregator.test_writer").warning(message)


def die() -> None:
    os._exit(3)


def ignore_interrupts() -> tuple[object, object]:
    return signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)


def test_writes_run_in_order_in_one_other_process_and_drain_waits_for_every_result():
    loop_thread = threading.get_ident()
    results, processes = [], set()

    def then(result: tuple[int, int]) -> None:
        assert threading.get_ident() == loop_thread
        value, pid = result
        results.append(value)
        processes.add(pid)

    async def crawl() -> None:
        writer = SerialWriter()
        try:
            for number in range(50):
                writer.submit(write, number, then=then)
                while writer.queued > 2:  # as the store pipeline bounds its queue
                    await writer.wait_for_oldest()
                assert writer.queued <= 3
            await writer.drain()
            assert writer.queued == 0
        finally:
            writer.close()

    asyncio.run(crawl())
    assert results == [number * 10 for number in range(50)]
    assert len(processes) == 1 and os.getpid() not in processes


def test_drain_lets_the_results_of_writes_already_done_arrive():
    results = []

    async def crawl() -> None:
        writer = SerialWriter()
        try:
            future = writer.submit(write, 1, then=results.append)
            await asyncio.wait([future])  # done, but its result may not have been handed over yet
            await writer.drain()
            assert [value for value, _ in results] == [10]
        finally:
            writer.close()

    asyncio.run(crawl())


def test_a_writer_process_that_dies_fails_its_write_and_every_later_one_visibly():
    outcomes = []

    async def crawl() -> None:
        writer = SerialWriter()
        try:
            writer.submit(die, then=outcomes.append, failed=lambda message: outcomes.append(message.split(":")[0]))
            await writer.drain()
            writer.submit(write, 2, then=outcomes.append, failed=lambda message: outcomes.append("failed later"))
            await writer.drain()
        finally:
            writer.close()

    asyncio.run(crawl())
    assert outcomes == ["the writer process failed", "failed later"]


def test_the_writer_logs_through_the_crawls_loggers_and_ignores_interrupts(caplog):
    results = []

    async def crawl() -> None:
        writer = SerialWriter()
        try:
            writer.submit(log_warning, "written from the writer process")
            writer.submit(ignore_interrupts, then=results.append)
            await writer.drain()
        finally:
            writer.close()

    with caplog.at_level(logging.INFO):
        asyncio.run(crawl())
    assert ("aggregator.test_writer", logging.WARNING, "written from the writer process") in caplog.record_tuples
    assert results == [(signal.SIG_IGN, signal.SIG_IGN)]


@pytest.mark.skipif(sys.platform != "linux", reason="reads the process table")
def test_the_writer_process_ends_when_the_crawls_process_is_killed(tmp_path):
    script = textwrap.dedent(
        """
        import asyncio, os, sys
        from aggregator.serial_writer import SerialWriter

        async def main():
            writer = SerialWriter()
            pid = await writer.submit(os.getpid)
            print(pid, flush=True)
            await asyncio.sleep(60)

        if __name__ == "__main__":
            asyncio.run(main())
        """
    )
    path = tmp_path / "crawl.py"
    path.write_text(script, encoding="utf-8")
    crawl = subprocess.Popen([sys.executable, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        writer_pid = int(crawl.stdout.readline())
        assert psutil.pid_exists(writer_pid)
        crawl.kill()
        crawl.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if psutil.Process(writer_pid).status() == psutil.STATUS_ZOMBIE:
                    break
            except psutil.NoSuchProcess:
                break
            time.sleep(0.1)
        else:
            pytest.fail("the writer process outlived the crawl's process")
    finally:
        crawl.kill()
        crawl.stdout.close()


def test_the_writer_process_is_the_crawls_only_child_and_does_not_run_its_script_again(tmp_path):
    """``scrapy crawl`` is a script that imports all of Scrapy: the writer process must not run it
    again (as multiprocessing's spawn does), nor bring a resource tracker process along."""
    runs = tmp_path / "runs"
    script = textwrap.dedent(
        f"""
        import asyncio, os, psutil
        with open({str(runs)!r}, "a") as runs:
            runs.write(f"{{os.getpid()}}\\n")
        from aggregator.serial_writer import SerialWriter

        async def main():
            writer = SerialWriter()
            try:
                pid = await writer.submit(os.getpid)
                print(pid, *(child.pid for child in psutil.Process().children(recursive=True)))
            finally:
                writer.close()

        if __name__ == "__main__":
            asyncio.run(main())
        """
    )
    path = tmp_path / "crawl.py"
    path.write_text(script, encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, str(path)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    writer_pid, *children = completed.stdout.split()
    assert children == [writer_pid]
    assert len(runs.read_text().split()) == 1


def test_a_crawls_writer_work_loads_neither_migrations_nor_scrapy(tmp_path):
    """The writer process opens a database its crawl's process migrated already: alembic (and
    Scrapy, the crawl's) would only add start-up time and memory to every crawl's second process."""
    from aggregator.db import database

    url = f"sqlite:///{tmp_path / 'crawl.db'}"
    database(url)  # what the crawl's process does before its first write
    check = textwrap.dedent(f"""
        import sys
        from aggregator.crawl_writes import prepare_writer, repair_unassigned, store_batch
        prepare_writer({url!r})
        outcome = store_batch({url!r}, [], [], None)
        assert outcome.error is None, outcome.error
        assert repair_unassigned({url!r}, "remotewlb").error is None
        loaded = sorted(name for name in ("alembic", "scrapy") if name in sys.modules)
        assert not loaded, loaded
    """)
    completed = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr[-2000:]


def test_the_store_pipeline_keeps_its_queue_bounded_however_many_items_arrive_at_once(tmp_path):
    """Scrapy hands many items to the pipelines at once: every item waits while the writer is behind,
    not only the one that fills a batch (the others kept filling batches: 35 queued on PostgreSQL)."""
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from aggregator.items import NormalisedPosting
    from pipelines.store import MAX_QUEUED_BATCHES, StorePipeline

    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    crawler = get_crawler(Spider, {"DATABASE_URL": url, "STORE_BATCH_SIZE": 5})
    pipeline = StorePipeline.from_crawler(crawler)
    pipeline.open_spider()
    postings = [
        NormalisedPosting(
            source="remoteok",
            source_id=str(n),
            source_key=str(n),
            url=f"https://remoteok.com/{n}",
            title=f"Engineer {n}",
            company="Acme",
            description_text="x",
        )  # fmt: skip
        for n in range(300)
    ]
    most = [0]

    async def crawl() -> None:
        async def one(posting):
            await pipeline.process_item(posting)
            most[0] = max(most[0], pipeline.writer.queued)

        await asyncio.gather(*(one(posting) for posting in postings))
        await pipeline.close_spider()

    asyncio.run(crawl())
    # One more than the limit at most: the items that wake together fill one batch before they look again.
    assert 0 < most[0] <= MAX_QUEUED_BATCHES + 1, most[0]
    assert crawler.stats.get_value("aggregator/items_new") == 300
