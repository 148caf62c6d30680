"""The crawl's writer thread: writes run one at a time, in the order handed over, off the loop's
thread; results come back on the loop's thread; drain waits for all of them."""

from __future__ import annotations

import asyncio
import threading

from aggregator.serial_writer import SerialWriter


def test_writes_run_in_order_off_the_loop_thread_and_drain_waits_for_every_result():
    loop_thread = threading.get_ident()
    written, results, threads = [], [], set()

    def write(number: int) -> int:
        threads.add(threading.get_ident())
        written.append(number)
        return number * 10

    def then(result: int) -> None:
        assert threading.get_ident() == loop_thread
        results.append(result)

    async def crawl() -> None:
        writer = SerialWriter()
        for number in range(50):
            writer.submit(write, number, then=then)
            while writer.queued > 2:  # as the store pipeline bounds its queue
                await writer.wait_for_oldest()
            assert writer.queued <= 3
        await writer.drain()
        assert writer.queued == 0

    asyncio.run(crawl())
    assert written == list(range(50))
    assert results == [number * 10 for number in range(50)]
    assert len(threads) == 1 and loop_thread not in threads


def test_drain_lets_the_results_of_writes_already_done_arrive():
    results = []

    async def crawl() -> None:
        writer = SerialWriter()
        future = writer.submit(lambda: "done", then=results.append)
        await asyncio.wait([future])  # done, but its result may not have been handed over yet
        await writer.drain()
        assert results == ["done"]

    asyncio.run(crawl())
