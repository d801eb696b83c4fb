"""Errors shared by every part of Backlinks."""


class BacklinksError(Exception):
    """Base of every error Backlinks raises on purpose."""


class SettingsError(BacklinksError):
    """A `BACKLINKS_*` environment variable holds a value that cannot be used."""


class InvalidTarget(BacklinksError):
    """The domain to check is not a usable target; the message names the problem."""


class InvalidWebhook(BacklinksError):
    """A `webhook_url` Backlinks will not call (scheme, credentials, private address); the message says why."""
