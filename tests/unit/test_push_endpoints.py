"""Only browsers' push services are ever called with a subscription's URL."""

import pytest

from chalicelib.adapters.webpush import acceptable_endpoint


@pytest.mark.parametrize(("endpoint", "ok"), [
    ("https://fcm.googleapis.com/fcm/send/abc", True),
    ("https://updates.push.services.mozilla.com/wpush/v2/x", True),
    ("https://web.push.apple.com/QG9x", True),
    ("https://wns2-par02p.notify.windows.com/w/?token=x", True),
    ("http://fcm.googleapis.com/fcm/send/abc", False),  # never in the clear
    ("https://169.254.169.254/latest/meta-data", False),
    ("https://fcm.googleapis.com.evil.example/x", False),
    ("https://\u00b2[\udb6b\udce5", False),  # what the fuzzer sent once (a 500 then)
    ("http://127.0.0.1:8080/push/x", False),  # loopback only when the tests name it
])  # fmt: skip
def test_endpoints(endpoint, ok):
    assert acceptable_endpoint(endpoint) is ok
