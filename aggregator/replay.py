"""Replay recorded site snapshots as an HTTP(S) forward proxy on loopback.

For testing spiders offline through the real Scrapy machinery and for trying a crawl by hand:

    python -m aggregator.replay --port 8899 tests/fixtures/remotewlb-site &
    https_proxy=http://127.0.0.1:8899 scrapy crawl remotewlb

A snapshot folder holds ``manifest.jsonl`` (one line per URL: ``{"url", "responses": [{"status",
"headers", "body", "delay"?}]}``, the Nth request of a URL gets the Nth response and the last one
repeats) and the bodies it names. HTTPS is intercepted with a throw-away self-signed certificate
(Scrapy does not verify certificates by default). Conditional requests get 304 when the validator
matches; unknown URLs on a recorded host get 404, unknown hosts 502. ``delay`` (seconds) lets a
snapshot stand for a server that times out.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import email.utils
import json
import ssl
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 304: "Not Modified", 403: "Forbidden",
           404: "Not Found", 410: "Gone", 429: "Too Many Requests", 500: "Internal Server Error",
           502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}  # fmt: skip


@dataclass
class Snapshot:
    pages: dict[str, list[dict]] = field(default_factory=dict)
    hosts: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, *folders: str | Path) -> Snapshot:
        snapshot = cls()
        for folder in map(Path, folders):
            with open(folder / "manifest.jsonl", encoding="utf-8") as manifest:
                for line in manifest:
                    if not line.strip():
                        continue
                    entry = json.loads(line)
                    for response in entry["responses"]:
                        if "body" in response:
                            response["body_path"] = str(folder / response["body"])
                    snapshot.pages[entry["url"]] = entry["responses"]
                    snapshot.hosts.add(urlsplit(entry["url"]).netloc.lower())
        return snapshot


class Replay:
    """Answers requests from a snapshot and logs each one (``requests`` keeps them in memory)."""

    def __init__(self, snapshot: Snapshot, log_path: str | None = None):
        self.snapshot = snapshot
        self.hits: dict[str, int] = {}
        self.requests: list[dict] = []
        self.log = open(log_path, "a", buffering=1, encoding="utf-8") if log_path else None
        self.lock = threading.Lock()

    def answer(self, method: str, url: str, headers: dict[str, str]) -> tuple[int, dict, bytes, float]:
        pages = self.snapshot.pages
        key = url if url in pages or url + "/" not in pages else url + "/"
        delay = 0.0
        if key in pages:
            with self.lock:
                count = self.hits.get(key, 0)
                self.hits[key] = count + 1
            sequence = pages[key]
            recorded = sequence[min(count, len(sequence) - 1)]
            status, response_headers = recorded["status"], dict(recorded.get("headers", {}))
            body = Path(recorded["body_path"]).read_bytes() if "body_path" in recorded else b""
            delay = float(recorded.get("delay", 0))
            etag, modified = response_headers.get("ETag"), response_headers.get("Last-Modified")
            if_none_match, if_modified_since = headers.get("if-none-match"), headers.get("if-modified-since")
            if status == 200 and (
                (etag and if_none_match and etag in if_none_match)
                or (modified and if_modified_since and not if_none_match and _not_newer(modified, if_modified_since))
            ):
                status, body = 304, b""
        elif urlsplit(url).netloc.lower() in self.snapshot.hosts:
            status, response_headers, body = (
                404,
                {"Content-Type": "text/html"},
                b"<html><body>404</body></html>",
            )
        else:
            status, response_headers, body = 502, {"Content-Type": "text/plain"}, b"replay: host not recorded"
        if method == "HEAD":
            body = b""
        record = {
            "method": method,
            "url": url,
            "status": status,
            "user_agent": headers.get("user-agent", ""),
            "conditional": bool(headers.get("if-none-match") or headers.get("if-modified-since")),
        }
        with self.lock:
            self.requests.append(record)
        if self.log:
            self.log.write(json.dumps(record) + "\n")
        return status, response_headers, body, delay


def _not_newer(last_modified: str, since: str) -> bool:
    try:
        return email.utils.parsedate_to_datetime(last_modified) <= email.utils.parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False


async def _read_head(reader: asyncio.StreamReader) -> tuple[str, dict[str, str]] | None:
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        return None
    lines = raw.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return lines[0], headers


async def _serve(replay: Replay, reader, writer, origin: str | None):
    while True:
        head = await _read_head(reader)
        if head is None:
            return None
        request_line, headers = head
        parts = request_line.split(" ")
        if len(parts) != 3:
            return None
        method, target, _ = parts
        if "content-length" in headers:
            await reader.readexactly(int(headers["content-length"]))
        if origin is None and method == "CONNECT":
            return target
        url = target if target.startswith("http") else f"{origin}{target}"
        status, response_headers, body, delay = replay.answer(method, url, headers)
        if delay:
            await asyncio.sleep(delay)
        lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}"]
        lines += [f"{name}: {value}" for name, value in response_headers.items()]
        lines += [f"Content-Length: {len(body)}", "Connection: keep-alive"]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await writer.drain()


async def _handle(replay: Replay, tls: ssl.SSLContext, reader, writer) -> None:
    try:
        target = await _serve(replay, reader, writer, None)
        if target:
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
            await writer.start_tls(tls)
            host = target.rsplit(":", 1)[0]
            port = target.rsplit(":", 1)[1] if ":" in target else "443"
            await _serve(replay, reader, writer, f"https://{host}" + ("" if port == "443" else f":{port}"))
    except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError, TimeoutError):
        pass
    finally:
        writer.close()


def _self_signed_context(hosts: set[str]) -> ssl.SSLContext:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "replay.invalid")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName(
            [x509.DNSName(host.split(":")[0]) for host in sorted(hosts)] or [x509.DNSName("replay.invalid")]
        ), critical=False)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    folder = Path(tempfile.mkdtemp(prefix="replay-cert-"))
    (folder / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    (folder / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context


class ReplayProxy:
    """The proxy in a background thread: ``with ReplayProxy(snapshot) as proxy: proxy.url``."""

    def __init__(self, snapshot: Snapshot, port: int = 0, log_path: str | None = None):
        self.replay = Replay(snapshot, log_path)
        self.port = port
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def requests(self) -> list[dict]:
        return self.replay.requests

    def __enter__(self) -> ReplayProxy:
        tls = _self_signed_context(self.replay.snapshot.hosts)
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(lambda r, w: _handle(self.replay, tls, r, w), "127.0.0.1", self.port),
            self._loop,
        )
        self._server = future.result(timeout=10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc_info) -> None:
        async def shutdown() -> None:
            self._server.close()
            connections = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in connections:  # clients that kept a connection open
                task.cancel()
            await asyncio.gather(*connections, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("snapshots", nargs="+", help="snapshot folders (manifest.jsonl + bodies)")
    parser.add_argument("--port", type=int, default=8899)
    parser.add_argument("--log", help="append one JSON line per request to this file")
    args = parser.parse_args()
    with ReplayProxy(Snapshot.load(*args.snapshots), args.port, args.log) as proxy:
        print(f"replay proxy on {proxy.url} serving {len(proxy.replay.snapshot.pages)} URLs", flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
