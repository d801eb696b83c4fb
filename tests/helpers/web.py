"""A loopback 'web': one aiohttp server (http and https) answering for any host name."""

import asyncio
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import trustme
from aiohttp import web


@dataclass
class Served:
    """How the server answers one URL."""

    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=lambda: [("Content-Type", "text/html; charset=utf-8")])
    status: int = 200
    delay_s: float = 0.0
    redirect_to: str | None = None


class LoopbackWeb:
    """Serves registered URLs by Host header + path; robots.txt is 404 unless registered."""

    def __init__(self) -> None:
        self.pages: dict[str, Served] = {}
        self.hits: list[str] = []
        self.ca = trustme.CA()
        self.ca_path = Path()
        self.http_port = 0
        self.https_port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None

    def add(self, url: str, body: bytes | str = b"", **how: object) -> None:
        """Register what `url` answers."""
        data = body.encode() if isinstance(body, str) else body
        self.pages[_key(url)] = Served(body=data, **how)  # type: ignore[arg-type]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        scheme = "https" if request.secure else "http"
        host = (request.host or "").split(":")[0].lower()
        url = f"{scheme}://{host}{request.path_qs}"
        self.hits.append(url)
        served = self.pages.get(_key(url))
        if served is None:
            return web.Response(status=404, text="not here")
        if served.delay_s:
            await asyncio.sleep(served.delay_s)
        if served.redirect_to is not None:
            return web.Response(status=302, headers={"Location": served.redirect_to})
        response = web.Response(status=served.status, body=served.body)
        for name, value in served.headers:
            response.headers.add(name, value)
        return response

    def start(self, tls_hosts: list[str], ca_path: Path) -> "LoopbackWeb":
        """Serve http and https (a certificate for `tls_hosts` from a test CA written to ca_path)."""
        self.ca_path = ca_path
        self.ca.cert_pem.write_to_path(str(ca_path))
        ssl_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ca.issue_cert(*(tls_hosts or ["localhost"])).configure_cert(ssl_ctx)
        ready = threading.Event()

        async def serve() -> None:
            app = web.Application()
            app.router.add_route("*", "/{tail:.*}", self._handle)
            self._runner = web.AppRunner(app, access_log=None)
            await self._runner.setup()
            plain = web.TCPSite(self._runner, "127.0.0.1", 0)
            secure = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=ssl_ctx)
            await plain.start()
            await secure.start()
            self.http_port = plain._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            self.https_port = secure._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            ready.set()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(serve())
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, daemon=True, name="loopback-web")
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("loopback web did not start")
        return self

    def connect_to(self) -> list[str]:
        """curl-style connect-to rules sending every host's port 80/443 here."""
        return [f":80:127.0.0.1:{self.http_port}", f":443:127.0.0.1:{self.https_port}"]

    def stop(self) -> None:
        """Stop serving."""
        if self._loop is None:
            return
        loop = self._loop
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(10)


def _key(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path or "/"
    return f"{parts.scheme}://{(parts.hostname or '').lower()}{path}{'?' + parts.query if parts.query else ''}"


def running_web(tls_hosts: list[str], ca_path: Path) -> Iterator[LoopbackWeb]:
    """Generator fixture body: a started LoopbackWeb, stopped afterwards."""
    server = LoopbackWeb().start(tls_hosts, ca_path)
    try:
        yield server
    finally:
        server.stop()
