"""`backlinks keys add|list|revoke`: API keys for server-to-server callers."""

import datetime

from rich.console import Console
from rich.table import Table

from backlinks.errors import BacklinksError
from backlinks.runtime import redis_for
from backlinks.settings import Settings
from storage.apikeys import ApiKeyAdmin
from storage.client import sync_client
from storage.keys import Keys


def keys(settings: Settings, action: str, name: str | None, quota: int, admin: bool, console: Console) -> int:
    """Run one key action against the install's Redis."""
    with redis_for(settings) as url:
        client = sync_client(url)
        try:
            store = ApiKeyAdmin(client, Keys(settings.namespace))
            if action == "add":
                if not name:
                    raise BacklinksError("keys add needs a NAME")
                if quota < 1:
                    raise BacklinksError(f"--quota must be at least 1 check per hour, got {quota}")
                secret, record = store.add(name, quota, admin)
                console.print(f"API key {record.key_id} ({record.name}, {record.hourly_quota} checks/hour"
                              f"{', admin' if record.admin else ''}); shown once, keep it:", highlight=False)
                print(secret)
                console.print(f"webhook signing secret of this key: {record.webhook_secret}", highlight=False)
            elif action == "list":
                table = Table("id", "name", "quota/h", "admin", "created", "revoked")
                for key in store.all():
                    table.add_row(key.key_id, key.name, str(key.hourly_quota), "yes" if key.admin else "",
                                  _when(key.created_at), _when(key.revoked_at))
                console.print(table)
            elif action == "revoke":
                if not name:
                    raise BacklinksError("keys revoke needs a key id or name")
                revoked = store.revoke(name)
                if not revoked:
                    raise BacklinksError(f"no live key with id or name {name!r}")
                console.print(f"revoked {', '.join(k.key_id for k in revoked)}")
        finally:
            client.close()
    return 0


def _when(ts: int | None) -> str:
    return datetime.datetime.fromtimestamp(ts, datetime.UTC).strftime("%Y-%m-%d %H:%M") if ts else ""
