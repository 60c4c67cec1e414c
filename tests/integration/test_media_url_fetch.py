"""Open311's media_url fetched as a photo without becoming a way into the regency's
own network: a real HTTPS host on loopback (its own certificate), names resolved
by the test, and the fetcher's own address rule judging everything else."""

from __future__ import annotations

import ipaddress
import time

import pytest

from chalicelib.adapters.remote_media import MAX_BYTES, Fetcher, Refused, public
from tests.support.images import camera_jpeg
from tests.support.photo_host import Route, photo_host


@pytest.fixture
def host(tmp_path):
    with photo_host(tmp_path) as running:
        yield running


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("203.0.113.9", False),  # documentation range
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # the cloud's metadata service
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fd00:ec2::254", False),  # the metadata service over IPv6
        ("::ffff:127.0.0.1", False),  # loopback dressed as IPv6
        ("::ffff:8.8.8.8", True),
        ("2002:a00:1::1", False),  # 6to4 around 10.0.0.1
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 around the metadata service
        ("64:ff9b::7f00:1", False),  # NAT64 around loopback
        ("64:ff9b::a00:5", False),  # NAT64 around 10.0.0.5
        ("64:ff9b::808:808", True),  # NAT64 around a public address
        ("::7f00:1", False),  # IPv4-compatible loopback (::127.0.0.1)
        ("::a9fe:a9fe", False),  # IPv4-compatible metadata service
        ("::c0a8:101", False),  # IPv4-compatible 192.168.1.1
    ],
)
def test_only_public_addresses_are_fetched_from(address, allowed):
    assert public(ipaddress.ip_address(address)) is allowed


def test_a_photo_is_fetched_from_a_public_https_host(host):
    photo = camera_jpeg(640, 480)
    host.routes["/laporan/1.jpg"] = Route(body=photo)
    assert host.fetcher().fetch(host.url("/laporan/1.jpg")) == (photo, "image/jpeg")


def test_a_redirect_is_followed_and_judged_again(host):
    photo = camera_jpeg(320, 240)
    host.routes["/a"] = Route(status=302, location="/b.jpg")
    host.routes["/b.jpg"] = Route(body=photo, content_type="image/jpeg; charset=binary")
    assert host.fetcher().fetch(host.url("/a"))[0] == photo
    host.names["metadata.example"] = ["169.254.169.254"]
    host.routes["/to-metadata"] = Route(
        status=302, location="https://metadata.example/latest/meta-data/iam/"
    )
    with pytest.raises(Refused, match="not a public address"):
        host.fetcher().fetch(host.url("/to-metadata"))
    host.routes["/loop"] = Route(status=301, location="/loop")
    with pytest.raises(Refused, match="redirects"):
        host.fetcher().fetch(host.url("/loop"))
    assert host.hits.count("/loop") == 4  # the first request and three redirects, no more


def test_private_names_plain_http_and_mixed_answers_are_refused_before_connecting(host):
    host.routes["/x.jpg"] = Route(body=camera_jpeg(64, 64))
    host.names["intranet.example"] = ["10.0.0.5"]
    host.names["rebind.example"] = ["127.0.0.1", "10.0.0.5"]  # one good, one private
    fetch = host.fetcher().fetch
    for url in (
        f"http://foto.warga.example:{host.port}/x.jpg",
        host.url("/x.jpg", "intranet.example"),
        host.url("/x.jpg", "rebind.example"),
        f"https://user:pw@foto.warga.example:{host.port}/x.jpg",
        "https://nowhere.example/x.jpg",
    ):
        with pytest.raises(Refused):
            fetch(url)
    assert host.hits == []


def test_the_real_rule_refuses_loopback_by_name_and_by_number(host):
    host.routes["/x.jpg"] = Route(body=camera_jpeg(64, 64))
    for url in (f"https://127.0.0.1:{host.port}/x.jpg", f"https://localhost:{host.port}/x.jpg"):
        with pytest.raises(Refused, match="not a public address"):
            Fetcher(context=host.context).fetch(url)
    assert host.hits == []


def test_a_certificate_for_another_name_is_refused(host):
    host.names["palsu.example"] = ["127.0.0.1"]
    host.routes["/x.jpg"] = Route(body=camera_jpeg(64, 64))
    with pytest.raises(Refused, match="could not be fetched"):
        host.fetcher().fetch(host.url("/x.jpg", "palsu.example"))


def test_what_is_not_a_photo_or_is_too_big_or_too_slow_is_refused(host):
    fetcher = host.fetcher(seconds=1.0)
    host.routes["/page"] = Route(body=b"<html>login</html>", content_type="text/html")
    host.routes["/big.jpg"] = Route(body=b"\xff" * (MAX_BYTES + 1))
    host.routes["/big-chunked.jpg"] = Route(body=b"\xff" * (MAX_BYTES + 1), chunked=True)
    host.routes["/slow.jpg"] = Route(body=b"\xff" * (65536 * 4), delay=0.5, chunked=True)
    host.routes["/gone.jpg"] = Route(status=404)
    for path, why in (
        ("/page", "not a photo"),
        ("/big.jpg", "bytes"),
        ("/big-chunked.jpg", "bytes"),
        ("/gone.jpg", "404"),
    ):
        with pytest.raises(Refused, match=why):
            fetcher.fetch(host.url(path))
    started = time.monotonic()
    with pytest.raises(Refused):
        fetcher.fetch(host.url("/slow.jpg"))
    assert time.monotonic() - started < 2.5  # the budget holds however the host dawdles


def test_a_host_that_drips_a_byte_at_a_time_is_cut_off_at_the_deadline(host):
    """A per-read timeout alone lets a host hold the fetch as long as it likes by
    sending one byte before each read times out: the deadline is for the whole fetch,
    the status line and headers included."""
    fetcher = host.fetcher(seconds=1.0)
    photo = camera_jpeg(64, 64)
    host.routes["/drip-headers.jpg"] = Route(body=photo, drip=0.05)
    host.routes["/drip-body.jpg"] = Route(body=photo, drip=0.05, drip_from="body")
    for path in ("/drip-headers.jpg", "/drip-body.jpg"):
        started = time.monotonic()
        with pytest.raises(Refused, match="took too long"):
            fetcher.fetch(host.url(path))
        assert time.monotonic() - started < 2.5, path  # undripped: 4.5 s and more


def test_a_resolver_that_dawdles_is_inside_the_same_deadline(monkeypatch):
    from chalicelib.adapters import remote_media

    def slow(*args, **kwargs):
        time.sleep(3)
        return [(None, None, None, "", ("8.8.8.8", 443))]

    monkeypatch.setattr(remote_media.socket, "getaddrinfo", slow)
    started = time.monotonic()
    with pytest.raises(Refused):
        Fetcher(seconds=1.0).fetch("https://lambat.example/x.jpg")
    assert time.monotonic() - started < 2.5  # not the resolver's own 4 s
