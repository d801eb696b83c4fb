"""Settings: every bad value stops the program at start with a message naming the variable."""

import pytest

from backlinks.errors import SettingsError
from backlinks.settings import Settings

BAD = {
    "BACKLINKS_PORT=abc": ("BACKLINKS_PORT", "abc"),
    "BACKLINKS_PORT=99999": ("BACKLINKS_PORT", "99999"),
    "BACKLINKS_FETCH_ALLOW_NETS=garbage": ("BACKLINKS_FETCH_ALLOW_NETS", "garbage"),
    "BACKLINKS_SOURCES=foo": ("BACKLINKS_SOURCES", "foo"),
    "BACKLINKS_DEEP_SCAN_MAX_PAGES=-3": ("BACKLINKS_DEEP_SCAN_MAX_PAGES", "-3"),
    "BACKLINKS_WORKER_THREADS=0": ("BACKLINKS_WORKER_THREADS", "0"),
    "REDIS_URL=garbage": ("REDIS_URL", "garbage"),
    "BACKLINKS_API_URL=notaurl": ("BACKLINKS_API_URL", "notaurl"),
    "BACKLINKS_FETCH_RESOLVE=bad": ("BACKLINKS_FETCH_RESOLVE", "bad"),
    "BACKLINKS_FETCH_CONNECT_TO=a:b": ("BACKLINKS_FETCH_CONNECT_TO", "a:b"),
    "BACKLINKS_SESSION_COOKIE_SECURE=maybe": ("BACKLINKS_SESSION_COOKIE_SECURE", "maybe"),
}


@pytest.mark.parametrize("assignment", BAD)
def test_a_bad_value_is_refused_naming_the_variable_and_the_value(assignment: str) -> None:
    name, value = assignment.split("=", 1)
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({name: value})
    variable, shown = BAD[assignment]
    assert variable in str(caught.value) and shown in str(caught.value)


def test_good_values_are_read_with_their_types() -> None:
    settings = Settings.from_env({"BACKLINKS_PORT": "9000", "BACKLINKS_FETCH_ALLOW_NETS": "127.0.0.0/8, ::1/128",
                                  "BACKLINKS_SOURCES": "index,seeds", "REDIS_URL": "unix:///tmp/r.sock",
                                  "BACKLINKS_FETCH_CONNECT_TO": ":443:127.0.0.1:8443"})
    assert settings.port == 9000
    assert settings.fetch_allow_nets == ["127.0.0.0/8", "::1/128"]
    assert settings.sources == ["index", "seeds"]
    assert settings.redis_url == "unix:///tmp/r.sock"
