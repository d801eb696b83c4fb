"""Target validation and normalisation (SPEC 2)."""

import pytest

from backlinks.errors import InvalidTarget
from backlinks.target import normalize_target

REJECTED = {
    "": "empty",
    "   ": "empty",
    "localhost": "localhost",
    "127.0.0.1": "IP address",
    "[::1]": "IP address",
    "http://10.0.0.1:8080/x": "IP address",
    "com": "single label",
    "co.uk": "public suffix",
    "exa mple.com": "white space",
    "a" * 64 + ".com": "at most 63",
    ("a" * 60 + ".") * 5 + "com": "at most 253",
    "example..com": "empty label",
    "-example.com": "hyphen",
    "example-.com": "hyphen",
    "foo_bar.com": "outside IDNA",
    "xn--zz.com": "punycode",
    "example.invalidtld": "public suffix",
}

ACCEPTED = {
    "HTTPS://WWW.Example.COM/path?q=1": "example.com",
    "example.com.": "example.com",
    "bücher.ch": "xn--bcher-kva.ch",
    "BÜCHER.ch": "xn--bcher-kva.ch",
    "xn--bcher-kva.ch": "xn--bcher-kva.ch",
    "sub.example.co.uk": "sub.example.co.uk",
    "example.com:8443": "example.com",
    "http://user:pw@www.example.com:80/a#b": "example.com",
    "  example.com  ": "example.com",
    "alice.blogspot.com": "alice.blogspot.com",
}


@pytest.mark.parametrize(("raw", "problem"), REJECTED.items(), ids=[repr(k)[:30] for k in REJECTED])
def test_bad_targets_are_rejected_with_a_message_naming_the_problem(raw: str, problem: str) -> None:
    with pytest.raises(InvalidTarget) as caught:
        normalize_target(raw)
    message = str(caught.value)
    assert problem in message or (problem == "public suffix" and "suffix" in message), message


@pytest.mark.parametrize(("raw", "normal"), ACCEPTED.items())
def test_good_targets_are_normalised(raw: str, normal: str) -> None:
    assert normalize_target(raw) == normal


def test_a_non_string_domain_is_rejected() -> None:
    with pytest.raises(InvalidTarget, match="string"):
        normalize_target(42)
