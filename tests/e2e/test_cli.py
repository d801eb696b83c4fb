"""The command line as people run it: `backlinks up` in one process, ingest and check from others."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from backlinks.stack import free_port
from tests.conftest import ARTICLES
from tests.e2e.test_check_realweb import expected_rows


def cli(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "backlinks.cli", *args], env=env, capture_output=True,
                          text=True, timeout=timeout)


def start_up(env: dict[str, str], port: int) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-m", "backlinks.cli", "up"], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        assert time.monotonic() < deadline, "backlinks up did not become ready"
        time.sleep(0.2)


def stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    return out


def test_up_serves_ingest_and_check_from_other_processes_and_keeps_its_data(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "BACKLINKS_REDIS_URL")}
    env.update(BACKLINKS_DATA_DIR=str(tmp_path / "data"), BACKLINKS_PORT=str(port))
    up = start_up(env, port)
    try:
        ingested = cli("ingest", str(ARTICLES), env=env)
        assert ingested.returncode == 0, ingested.stdout + ingested.stderr
        assert "181 pages" in ingested.stdout
        checked = cli("check", "nytimes.com", "--json", env=env)
        assert checked.returncode == 0, checked.stderr
        rows = json.loads(checked.stdout)["results"]
        assert {r["referring_url"] for r in rows if r["link_type"] != "mention"} == set(expected_rows("nytimes.com"))
        table = cli("check", "nytimes.com", env=env)
        assert "nytimes.com: " in table.stdout and "referring pages" in table.stdout
        as_csv = cli("check", "nytimes.com", "--csv", env=env).stdout.splitlines()
        assert as_csv[0].startswith("referring_url,referring_domain,anchor_text,link_type,score")
        assert len(as_csv) == 1 + len(rows)
        compared = json.loads(cli("compare", "theguardian.com", "nytimes.com", "--json", env=env).stdout)
        assert compared["counts"]["overlap"] == 3
        diffed = json.loads(cli("diff", "nytimes.com", "--days", "1", "--json", env=env).stdout)
        assert diffed["counts"] == {"new": 0, "lost": 0, "unverified": 0}
        assert "only one snapshot" in diffed["note"]
    finally:
        stop(up)
    assert not (tmp_path / "data" / "redis.sock").exists(), "SIGTERM stopped the embedded Redis"

    # A second start finds the index where the first left it (AOF in the data folder).
    up = start_up(env, port)
    try:
        again = cli("check", "nytimes.com", "--json", "--refresh", env=env)
        rows = json.loads(again.stdout)["results"]
        assert {r["referring_url"] for r in rows if r["link_type"] != "mention"} == set(expected_rows("nytimes.com"))
    finally:
        stop(up)


def test_a_bad_domain_fails_on_the_command_line_with_the_message(tmp_path: Path) -> None:
    env = {**os.environ, "BACKLINKS_DATA_DIR": str(tmp_path), "BACKLINKS_API_URL": "http://127.0.0.1:9"}
    result = cli("check", "exa mple.com", env=env)
    assert result.returncode == 2
    assert "white space" in result.stderr


def test_ingesting_a_missing_file_fails_with_its_name(tmp_path: Path) -> None:
    env = {**os.environ, "BACKLINKS_DATA_DIR": str(tmp_path)}
    result = cli("ingest", str(tmp_path / "nope.warc.gz"), env=env)
    assert result.returncode == 2
    assert "nope.warc.gz: no such file" in result.stderr


def test_a_bad_setting_fails_at_start_naming_the_variable(tmp_path: Path) -> None:
    env = {**os.environ, "BACKLINKS_DATA_DIR": str(tmp_path), "BACKLINKS_PORT": "eighty"}
    result = cli("check", "example.com", env=env)
    assert result.returncode == 2
    assert "BACKLINKS_PORT" in result.stderr


def test_the_embedded_redis_outlives_its_starter_while_another_process_uses_it(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "BACKLINKS_REDIS_URL")}
    env.update(BACKLINKS_DATA_DIR=str(tmp_path / "data"), BACKLINKS_PORT=str(port))
    starter = subprocess.Popen([sys.executable, "-m", "backlinks.cli", "worker"], env=env, text=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    socket_path = tmp_path / "data" / "redis.sock"
    deadline = time.monotonic() + 20
    while not socket_path.exists():
        assert time.monotonic() < deadline, "the worker did not start Redis"
        time.sleep(0.1)
    up = start_up(env, port)
    try:
        starter.send_signal(signal.SIGTERM)
        assert starter.wait(30) == 0
        assert httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200, "up keeps its Redis"
        assert cli("check", "example.com", "--json", env=env).returncode == 0
    finally:
        stop(up)
    assert not socket_path.exists(), "the last user stopped it"
