import json

import pytest
from pydantic import ValidationError

from chalicelib.domain.models import ReportIn

VALID = {"label": "banjir", "lat": -8.05, "lon": 111.71}


def parse(**changes):
    return ReportIn.model_validate_json(json.dumps({**VALID, **changes}))


def test_minimal_report_is_valid():
    assert parse().label == "banjir"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"lat": "-8.05"}, "lat"),  # strings are not numbers
        ({"lat": True}, "lat"),
        ({"lon": 500}, "lon"),
        ({"description": "x" * 4001}, "description"),
        ({"client_report_id": "not-a-uuid"}, "client_report_id"),
        ({"client_report_id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8"}, "client_report_id"),  # v1
        ({"colour": "red"}, "colour"),
        ({"contact": {"phone": "12"}}, "contact.phone"),
        ({"contact": {"email": "nobody"}}, "contact.email"),
        ({"contact": {"ssn": "1"}}, "contact.ssn"),
    ],
)
def test_bad_fields_are_rejected(changes, field):
    with pytest.raises(ValidationError) as err:
        parse(**changes)
    assert field in {".".join(map(str, e["loc"])) for e in err.value.errors()}


def test_nan_is_not_a_coordinate():
    with pytest.raises(ValidationError):
        ReportIn.model_validate_json('{"label": "banjir", "lat": NaN, "lon": 111.7}')


@pytest.mark.parametrize(
    ("raw", "normal"),
    [("0812-3456-7890", "+6281234567890"), ("62 812 3456 789", "+628123456789")],
)
def test_indonesian_phone_numbers_are_normalised(raw, normal):
    assert parse(contact={"phone": raw}).contact.phone == normal


def test_description_exactly_at_the_limit_is_fine():
    assert len(parse(description="é" * 4000).description) == 4000
