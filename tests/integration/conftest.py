"""Fixtures shared by the moto-backed integration tests."""

from __future__ import annotations

import pytest

from chalicelib import config
from chalicelib.entry import events
from kawal_local.pump import queue_feeder


@pytest.fixture
def process(aws):
    """Feed S3's upload notifications to the photo function, as the SQS trigger does."""
    url = aws.client("sqs").get_queue_url(QueueName=config.uploads_queue_name())["QueueUrl"]
    feed = queue_feeder(url, events.process_uploads)

    def run() -> int:
        n = 0
        while feed():
            n += 1
        return n

    return run
