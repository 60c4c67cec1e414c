import uuid

from chalicelib.domain import identifiers as ids


def test_id_and_token_are_stable_per_client_id_and_distinct_across():
    a, b = uuid.uuid4(), uuid.uuid4()
    assert ids.report_id_for(a) == ids.report_id_for(a)
    assert ids.reporter_token_for(a) == ids.reporter_token_for(a)
    assert ids.report_id_for(a) != ids.report_id_for(b)
    assert ids.reporter_token_for(a) != ids.reporter_token_for(b)
    assert ids.is_report_id(ids.report_id_for(a))


def test_token_is_long_and_unrelated_to_the_public_id():
    cid = uuid.uuid4()
    token = ids.reporter_token_for(cid)
    assert len(token) >= 43  # 256 bits
    assert ids.report_id_for(cid) not in token
    assert ids.token_matches(token, ids.hash_secret(token))
    assert not ids.token_matches(token + "x", ids.hash_secret(token))


def test_short_code_is_sms_friendly():
    codes = {ids.new_short_code("TRG") for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert ids.is_short_code(code) and len(code) == 10
        assert not set(code[4:]) & set("ILOU")
    assert ids.is_short_code("trg-7k3f9q")
    assert not ids.is_short_code("TRG-7K3F9")
