"""The `backlinks` command line."""

import argparse
import logging
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console

from backlinks import __version__, client
from backlinks.commands import render
from backlinks.commands.check import run_check, run_compare, run_diff
from backlinks.commands.ingest import ingest
from backlinks.commands.keys import keys
from backlinks.commands.serve import gateway, up, worker
from backlinks.errors import BacklinksError
from backlinks.settings import Settings
from backlinks.stack import Stack, free_port

DEFAULT_ARCHIVE = Path("..") / "shared" / "data" / "realweb" / "articles-181.warc.gz"


def parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command."""
    p = argparse.ArgumentParser(prog="backlinks", description="Self-hostable backlink checker.")
    p.add_argument("--version", action="version", version=f"backlinks {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("up", help="gateway + worker + Redis in one process")
    s.add_argument("--host", default=None)
    s.add_argument("--port", type=int, default=None)

    s = sub.add_parser("gateway", help="only the HTTP gateway")
    s.add_argument("--host", default=None)
    s.add_argument("--port", type=int, default=None)

    s = sub.add_parser("worker", help="only a worker")
    s.add_argument("--threads", type=int, default=None)

    s = sub.add_parser("ingest", help="ingest WARC/WAT files (paths or http(s) URLs) into the link index")
    s.add_argument("sources", nargs="+", metavar="FILE|URL")
    s.add_argument("--no-wait", action="store_true", help="enqueue and return at once")

    s = sub.add_parser("check", help="the backlinks of a domain")
    s.add_argument("domain")
    s.add_argument("--deep", action="store_true", help="fetch each referring page and read the live HTML")
    s.add_argument("--include-big", action="store_true", help="keep search and social hosts")
    s.add_argument("--refresh", action="store_true", help="ignore the 24 h cache")
    s.add_argument("--debug", action="store_true", help="add diagnostics")
    s.add_argument("--json", action="store_true", help="print the API's JSON")
    s.add_argument("--csv", action="store_true", help="print CSV")

    s = sub.add_parser("compare", help="referring pages shared by two domains, and unique to each")
    s.add_argument("domain_a")
    s.add_argument("domain_b")
    s.add_argument("--deep", action="store_true")
    s.add_argument("--include-big", action="store_true")
    s.add_argument("--json", action="store_true")
    s.add_argument("--csv", action="store_true")

    s = sub.add_parser("diff", help="new and lost referring pages over a window of days")
    s.add_argument("domain")
    s.add_argument("--days", type=int, default=7, help="window in days, 1..90 (default 7)")
    s.add_argument("--deep", action="store_true", help="compare deep-scan snapshots")
    s.add_argument("--include-big", action="store_true")
    s.add_argument("--json", action="store_true")
    s.add_argument("--csv", action="store_true")

    s = sub.add_parser("keys", help="API keys: add NAME [--quota N] [--admin] | list | revoke ID|NAME")
    s.add_argument("action", choices=["add", "list", "revoke"])
    s.add_argument("name", nargs="?")
    s.add_argument("--quota", type=int, default=1000, help="checks per hour (default 1000)")
    s.add_argument("--admin", action="store_true", help="may list every saved report")

    s = sub.add_parser("demo", help="start everything, ingest an archive, print checks")
    s.add_argument("archive", nargs="?", default=None,
                   help=f"WARC/WAT path or URL (default: {DEFAULT_ARCHIVE} when it exists)")
    s.add_argument("--domain", action="append", dest="domains",
                   help="domain to check (repeatable; default theguardian.com)")
    s.add_argument("--serve", action="store_true", help="keep the stack serving afterwards")
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    args = parser().parse_args(argv)
    # SIGTERM unwinds like Ctrl-C, so `finally` blocks stop what this process started (workers,
    # gateway threads, the embedded Redis). `up`, `gateway` and `worker` install their own handlers.
    signal.signal(signal.SIGTERM, _terminate)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not args.verbose:
        logging.getLogger("dramatiq").setLevel(logging.WARNING)
    # Piped output has no terminal width to follow: give tables room instead of rich's 80 columns.
    console = Console(width=None if sys.stdout.isatty() else 160)
    try:
        settings = Settings.from_env()
        return _dispatch(args, settings, console)
    except BacklinksError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except (OSError, ValueError) as exc:  # e.g. a REDIS_URL or BACKLINKS_API_URL that cannot be used
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _terminate(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _dispatch(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    host = getattr(args, "host", None) or settings.host
    port = getattr(args, "port", None) or int(os.environ.get("BACKLINKS_PORT", settings.port))
    if args.command == "up":
        return up(settings, host, port, console)
    if args.command == "gateway":
        return gateway(settings, host, port)
    if args.command == "worker":
        return worker(settings, args.threads, console)
    if args.command == "ingest":
        return ingest(settings, args.sources, wait=not args.no_wait, console=console)
    if args.command == "check":
        body = {"domain": args.domain, "deep_scan": args.deep, "include_big": args.include_big,
                "refresh": args.refresh, "debug": args.debug}
        result = run_check(settings, body, Console(stderr=True), csv=args.csv)
        if args.csv:
            sys.stdout.write(result)
        elif args.json:
            render.print_json(result)
        else:
            render.print_result(result, console)
        return 0
    if args.command == "compare":
        body = {"domain_a": args.domain_a, "domain_b": args.domain_b, "deep_scan": args.deep,
                "include_big": args.include_big}
        result = run_compare(settings, body, Console(stderr=True), csv=args.csv)
        return _show(result, args, render.print_compare, console)
    if args.command == "diff":
        body = {"domain": args.domain, "days": args.days, "deep_scan": args.deep, "include_big": args.include_big,
                "soft": True}
        result = run_diff(settings, body, Console(stderr=True), csv=args.csv)
        return _show(result, args, render.print_diff, console)
    if args.command == "keys":
        return keys(settings, args.action, args.name, args.quota, args.admin, console)
    if args.command == "demo":
        return demo(settings, args.archive, args.domains or ["theguardian.com"], args.serve, console)
    raise BacklinksError(f"unknown command {args.command}")


def _show(result: Any, args: argparse.Namespace, printer: Any, console: Console) -> int:
    if args.csv:
        sys.stdout.write(result)
    elif args.json:
        render.print_json(result)
    else:
        printer(result, console)
    return 0


def demo(settings: Settings, archive: str | None, domains: list[str], serve: bool, console: Console) -> int:
    """Everything at once: Redis, worker, gateway; ingest an archive; print the checks."""
    source = archive or (str(DEFAULT_ARCHIVE) if DEFAULT_ARCHIVE.exists() else None)
    if source is None:
        raise BacklinksError(f"give an archive to ingest (WARC/WAT path or URL); {DEFAULT_ARCHIVE} does not exist")
    port = settings.port if _port_free(settings.host, settings.port) else free_port(settings.host)
    with Stack(settings).start(worker=True, gateway_port=port, host=settings.host) as stack:
        assert stack.gateway is not None
        console.print(f"[bold]Backlinks[/bold] gateway on {stack.gateway.url}, Redis at {stack.redis_url}")
        console.print(f"ingesting {source} ...")
        code = ingest(settings.__class__.from_env(redis_url=stack.redis_url), [source], wait=True, console=console)
        if code:
            return code
        for domain in domains:
            result = client.check(stack.gateway.url, {"domain": domain, "refresh": True})
            render.print_result(result, console)
        if serve:
            console.print(f"serving on {stack.gateway.url} (try: curl -s -X POST {stack.gateway.url}"
                          "/api/v1/backlinks/check -d '{\"domain\":\"apple.com\"}'); Ctrl-C stops")
            try:
                while True:
                    time.sleep(1)
            except KeyboardInterrupt:
                pass
    return 0


def _port_free(host: str, port: int) -> bool:
    import socket

    with socket.socket() as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


if __name__ == "__main__":
    sys.exit(main())
