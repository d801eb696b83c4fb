"""One typed settings object, read from `BACKLINKS_*` environment variables."""

import ipaddress
import os
from pathlib import Path
from typing import Any, get_type_hints

import msgspec
import platformdirs

from backlinks.errors import SettingsError

PREFIX = "BACKLINKS_"

DEFAULT_BIG_HOSTS = (
    "google.*,bing.com,yahoo.com,duckduckgo.com,baidu.com,yandex.*,facebook.com,x.com,"
    "twitter.com,linkedin.com,youtube.com,reddit.com,pinterest.com,instagram.com,tiktok.com"
)


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Configuration shared by gateway, workers and CLI. Each field is `BACKLINKS_<NAME>`."""

    #: Redis to use; empty means the embedded server in `data_dir` (also read from `REDIS_URL`).
    redis_url: str = ""
    data_dir: str = ""
    #: Prefix of every key Backlinks writes, so several installs can share one Redis.
    namespace: str = "bl"
    host: str = "127.0.0.1"
    port: int = 8000
    #: Where the CLI finds the gateway; empty means http://{host}:{port}.
    api_url: str = ""
    public_url: str = ""

    result_cache_ttl_s: int = 86_400
    page_cache_ttl_s: int = 10_800
    robots_cache_ttl_s: int = 86_400
    job_ttl_s: int = 86_400
    snapshot_keep_s: int = 100 * 86_400
    session_ttl_s: int = 30 * 86_400
    #: Checks per hour: per browser session, per IP for cookie-less callers (compare counts 2).
    session_checks_per_hour: int = 30
    ip_checks_per_hour: int = 60
    #: Reports each caller (session, IP or API key) may save per hour: they are kept until deleted.
    reports_per_hour: int = 30
    #: Client IPs of reverse proxies whose X-Forwarded-For is believed (comma-separated CIDRs).
    trusted_proxies: list[str] = msgspec.field(default_factory=list)
    #: Signs webhooks of requests without an API key; empty: a random one made at first use.
    webhook_secret: str = ""
    webhook_max_attempts: int = 8
    webhook_timeout_s: float = 10.0
    #: Wait before the 2nd delivery attempt; doubles per attempt, capped at 60 times this
    #: (30 s: 30 s, 1, 2, 4, 8, 16, 30 min).
    webhook_base_delay_ms: int = 30_000
    #: Set the session cookie `Secure` (behind TLS).
    session_cookie_secure: bool = False
    #: Largest accepted request body (reports carry a whole check result).
    max_body_bytes: int = 5_000_000
    max_wait_s: float = 60.0
    compat_wait_s: float = 60.0

    sources: list[str] = msgspec.field(default_factory=lambda: ["index"])
    big_hosts: list[str] = msgspec.field(default_factory=lambda: DEFAULT_BIG_HOSTS.split(","))
    #: Text file of pages to verify live on deep scans: `URL` or `DOMAIN URL` per line.
    seed_file: str = ""
    deep_scan_max_pages: int = 500
    max_results: int = 10_000

    fetch_user_agent: str = "BacklinksBot/0.1 (+https://github.com/backlinks/backlinks)"
    fetch_connect_timeout_s: float = 5.0
    fetch_total_timeout_s: float = 20.0
    fetch_max_redirects: int = 5
    fetch_max_body_bytes: int = 5_000_000
    fetch_concurrency: int = 16
    fetch_per_host_concurrency: int = 2
    #: CIDRs exempt from the private-address refusal (tests, intranets).
    fetch_allow_nets: list[str] = []
    #: curl-style `host:port:address` overrides of DNS.
    fetch_resolve: list[str] = []
    #: curl-style `host:port:connect_host:connect_port` overrides of where to connect.
    fetch_connect_to: list[str] = []
    fetch_ca_bundle: str = ""

    worker_threads: int = 8
    worker_queues: list[str] = msgspec.field(default_factory=lambda: ["scans", "ingest", "webhooks"])
    #: A worker silent this long is dead; its unfinished messages go back to the queue.
    broker_heartbeat_timeout_ms: int = 60_000
    #: Chance in a million that a broker call also requeues dead workers' messages.
    broker_maintenance_chance: int = 1_000
    scan_time_limit_s: int = 600
    ingest_time_limit_s: int = 6 * 3600
    ingest_batch_pages: int = 200
    #: Archived pages are already downloaded: read as much as Googlebot does (15 MB) before cutting.
    ingest_max_body_bytes: int = 15_000_000
    max_archive_bytes: int = 0

    def resolved_data_dir(self) -> Path:
        """The data folder, created if missing."""
        path = Path(self.data_dir) if self.data_dir else Path(platformdirs.user_data_dir("backlinks"))
        path.mkdir(parents=True, exist_ok=True)
        return path

    def resolved_api_url(self) -> str:
        """Base URL of the gateway as the CLI should call it."""
        return (self.api_url or f"http://{self.host}:{self.port}").rstrip("/")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> "Settings":
        """Read every field from `BACKLINKS_<NAME>`; fail naming the variable when a value is bad."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        hints = get_type_hints(cls)
        for name in cls.__struct_fields__:
            var = PREFIX + name.upper()
            raw = env.get(var)
            if raw is None and name == "redis_url":
                raw = env.get("REDIS_URL")
            if raw is None:
                continue
            values[name] = _convert(var, raw, hints[name])
        values.update(overrides)
        settings = cls(**values)
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse values that type-check but cannot work, naming the variable."""
        for name, low in _MINIMUMS.items():
            if getattr(self, name) < low:
                raise SettingsError(f"{PREFIX}{name.upper()}={getattr(self, name)} must be at least {low}")
        if not 0 < self.port < 65536:
            raise SettingsError(f"{PREFIX}PORT={self.port} is not a TCP port (1..65535)")
        unknown = [s for s in self.sources if s not in KNOWN_SOURCES]
        if unknown or not self.sources:
            raise SettingsError(f"{PREFIX}SOURCES has {unknown or 'nothing'}; known: {', '.join(KNOWN_SOURCES)}")
        for net in [*self.fetch_allow_nets, *self.trusted_proxies]:
            try:
                ipaddress.ip_network(net, strict=False)
            except ValueError:
                raise SettingsError(f"{net!r} in {PREFIX}FETCH_ALLOW_NETS/TRUSTED_PROXIES is not a CIDR") from None
        for rule in self.fetch_resolve:
            if rule.count(":") < 2 or not rule.split(":", 2)[1].isdigit():
                raise SettingsError(f"{PREFIX}FETCH_RESOLVE rule {rule!r} is not host:port:address")
        for rule in self.fetch_connect_to:
            parts = rule.split(":")
            if len(parts) < 4 or not all(p.isdigit() for p in (parts[1], parts[-1]) if p):
                raise SettingsError(
                    f"{PREFIX}FETCH_CONNECT_TO rule {rule!r} is not host:port:connect_host:connect_port"
                )
        if self.redis_url and not self.redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise SettingsError(f"REDIS_URL={self.redis_url!r} must start with redis://, rediss:// or unix://")
        if self.api_url and not self.api_url.startswith(("http://", "https://")):
            raise SettingsError(f"{PREFIX}API_URL={self.api_url!r} must be an http(s) URL")


KNOWN_SOURCES = ("index", "seeds")
_MINIMUMS = {
    "worker_threads": 1, "deep_scan_max_pages": 1, "max_results": 1, "fetch_concurrency": 1,
    "fetch_per_host_concurrency": 1, "fetch_max_redirects": 0, "fetch_max_body_bytes": 1024,
    "fetch_connect_timeout_s": 0.1, "fetch_total_timeout_s": 0.1, "result_cache_ttl_s": 1, "page_cache_ttl_s": 1,
    "job_ttl_s": 60, "snapshot_keep_s": 86_400, "ingest_batch_pages": 1, "ingest_max_body_bytes": 1024,
    "session_checks_per_hour": 0, "ip_checks_per_hour": 0, "max_body_bytes": 1024, "webhook_max_attempts": 1,
}
_KIND_NAMES = {int: "an integer", float: "a number", bool: "true or false", str: "text"}


def _convert(var: str, raw: str, kind: Any) -> Any:
    value: Any = raw.strip()
    if kind == list[str]:
        value = [part.strip() for part in value.split(",") if part.strip()]
    try:
        return msgspec.convert(value, kind, strict=False)
    except msgspec.ValidationError:
        raise SettingsError(f"{var}={raw!r} is not {_KIND_NAMES.get(kind, str(kind))}") from None
