"""Every Redis key Backlinks writes, under one configurable namespace."""

import hashlib


def url_id(url: str) -> str:
    """Short stable id of a URL, used inside keys (URLs can be long and hold any byte)."""
    return hashlib.blake2b(url.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


class Keys:
    """Key builder for one namespace; `Keys("bl").job("x")` -> `bl:job:x`."""

    def __init__(self, namespace: str) -> None:
        self.ns = namespace

    # link index
    def page(self, page_url: str) -> str:
        """Hash-free blob: the PageRecord of one referring page."""
        return f"{self.ns}:idx:page:{url_id(page_url)}"

    def host_pages(self, target_host: str) -> str:
        """Set of page URLs with a live link or mention to `target_host`."""
        return f"{self.ns}:idx:host:{target_host}"

    def domain_hosts(self, registrable: str) -> str:
        """Set of target hosts under one registrable domain that have ever been linked."""
        return f"{self.ns}:idx:rd:{registrable}"

    def authority(self, host: str) -> str:
        """Set of registrable domains that link to `host`."""
        return f"{self.ns}:idx:auth:{host}"

    def index_stats(self) -> str:
        """Hash of index counters (pages, links)."""
        return f"{self.ns}:idx:stats"

    def ingested(self, source: str) -> str:
        """Hash of what one archive's ingest did."""
        return f"{self.ns}:idx:src:{url_id(source)}"

    # scans
    def result(self, domain: str, deep_scan: bool, include_big: bool) -> str:
        """Cached answer for a domain + flags: the CheckResult JSON exactly as a cache hit serves it."""
        return f"{self.ns}:answer:{domain}:{int(deep_scan)}{int(include_big)}"

    def result_diagnostics(self, domain: str, deep_scan: bool, include_big: bool) -> str:
        """Diagnostics of the cached answer (served only to `debug` requests)."""
        return f"{self.ns}:answer-diag:{domain}:{int(deep_scan)}{int(include_big)}"

    def inflight(self, domain: str, deep_scan: bool, include_big: bool) -> str:
        """Job id of the running check for a domain + flags (shared by identical checks)."""
        return f"{self.ns}:inflight:{domain}:{int(deep_scan)}{int(include_big)}"

    def snapshots(self, domain: str, deep_scan: bool, include_big: bool) -> str:
        """Sorted set of snapshot ids by time for a domain + flags."""
        return f"{self.ns}:snaps:{domain}:{int(deep_scan)}{int(include_big)}"

    def snapshot(self, snapshot_id: str) -> str:
        """One stored snapshot."""
        return f"{self.ns}:snap:{snapshot_id}"

    def fetched_page(self, url: str) -> str:
        """Page cache entry (3 h) of a deep-scan fetch."""
        return f"{self.ns}:pagecache:{url_id(url)}"

    def robots(self, origin: str) -> str:
        """Cached robots.txt of one origin."""
        return f"{self.ns}:robots:{url_id(origin)}"

    def host_slots(self, host: str) -> str:
        """Sorted set of fetch leases on one host (cross-worker politeness)."""
        return f"{self.ns}:hostslots:{host}"

    # jobs
    def job(self, job_id: str) -> str:
        """One Job record."""
        return f"{self.ns}:job:{job_id}"

    def job_events(self, job_id: str) -> str:
        """Pub/sub channel announcing that a job changed."""
        return f"{self.ns}:jobev:{job_id}"

    # sessions and reports
    def session(self, session_id: str) -> str:
        """One browser session."""
        return f"{self.ns}:session:{session_id}"

    def session_reports(self, session_id: str) -> str:
        """Sorted set of report ids a session saved, by time."""
        return f"{self.ns}:session:{session_id}:reports"

    def report(self, report_id: str) -> str:
        """One saved report (kept until deleted)."""
        return f"{self.ns}:report:{report_id}"

    def all_reports(self) -> str:
        """Sorted set of every report id by time (for admins)."""
        return f"{self.ns}:reports"

    def report_image(self, report_id: str) -> str:
        """Cached Open Graph PNG of a report."""
        return f"{self.ns}:report:{report_id}:og"

    # keys, limits, webhooks
    def api_keys(self) -> str:
        """Hash of API keys by the SHA-256 of their secret."""
        return f"{self.ns}:apikeys"

    def quota(self, who: str, window: int) -> str:
        """Counter of checks by one caller (session, IP or key) in one hourly window."""
        return f"{self.ns}:quota:{who}:{window}"

    def server_secret(self) -> str:
        """The server's webhook signing secret (made at first use when not configured)."""
        return f"{self.ns}:secret:webhook"

    def workers(self) -> str:
        """Sorted set of live worker ids by last heartbeat."""
        return f"{self.ns}:workers"
