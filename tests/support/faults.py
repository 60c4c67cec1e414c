"""Failure injection for every AWS call: record the calls a scenario makes, then
run it again with exactly one of them failing (as botocore would raise it once
its own retries are spent). Hooks botocore's ``before-call`` event on each client,
the same place botocore's Stubber works, so the code under test is untouched."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError, EndpointConnectionError

# What each service says when it is overloaded or down.
OUTAGE = {
    "dynamodb": "ProvisionedThroughputExceededException",
    "s3": "SlowDown",
    "sns": "Throttling",
    "kms": "KMSInternalException",
    "sqs": "RequestThrottled",
}


@dataclass
class Faults:
    calls: list[tuple[str, str]] = field(default_factory=list)
    fail_at: int | None = None  # index into the calls of this run
    connection: bool = False  # a network failure instead of an error answer
    _hooked: set[int] = field(default_factory=set)

    def hook(self, client: Any) -> Any:
        if id(client) not in self._hooked:
            client.meta.events.register("before-call", self._before_call)
            self._hooked.add(id(client))
        return client

    def _before_call(self, model: Any, **_: Any) -> None:
        service = model.service_model.signing_name  # as IAM names it: streams are dynamodb
        index = len(self.calls)
        self.calls.append((service, model.name))
        if index == self.fail_at:
            if self.connection:
                raise EndpointConnectionError(endpoint_url=f"https://{service}.example")
            code = OUTAGE.get(service, "ServiceUnavailable")
            raise ClientError({"Error": {"Code": code, "Message": "injected"}}, model.name)

    def run(self, scenario: Callable[[], Any], fail_at: int | None = None) -> Any:
        self.calls, self.fail_at = [], fail_at
        try:
            return scenario()
        finally:
            self.fail_at = None


def install(monkeypatch: Any) -> Faults:
    """Every client ``chalicelib.adapters.aws`` hands out from now on reports to one Faults."""
    from chalicelib.adapters import aws

    faults = Faults()
    real = aws.client
    monkeypatch.setattr(aws, "client", lambda service: faults.hook(real(service)))
    return faults


def fail_once(monkeypatch: Any, client: Any, method: str, when: Callable[..., bool] = bool) -> None:
    """The next call of ``client.method`` (one whose kwargs satisfy ``when``) fails as
    an overloaded service answers; the calls after it go through."""
    real, left = getattr(client, method), [1]

    def failing(**kwargs: Any) -> Any:
        if left and when(kwargs):
            left.pop()
            raise ClientError({"Error": {"Code": "Throttling", "Message": "injected"}}, method)
        return real(**kwargs)

    monkeypatch.setattr(client, method, failing)
