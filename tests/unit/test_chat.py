"""The WhatsApp conversation, step by step, against WhatsApp's limits and the app's
offer of labels."""

import pytest

from chalicelib.domain import chat
from chalicelib.domain.chat import Conversation, Incoming
from chalicelib.domain.geo import load_regency
from chalicelib.routing import load_catalogue

CATALOGUE, REGENCY = load_catalogue(), load_regency()


def run(*messages, state=None):
    state, replies = state or Conversation(), []
    for message in messages:
        outcome = chat.step(state, message, CATALOGUE, REGENCY)
        replies.append(outcome.replies)
        if outcome.conversation is None:
            return None, replies, outcome.submit
        state = outcome.conversation
    return state, replies, False


PHOTO = Incoming("image", media_id="M1", media_type="image/jpeg")


def test_the_whole_way_to_a_report():
    state, replies, submit = run(
        PHOTO, Incoming("choice", choice="g:yellow"),
        Incoming("choice", choice="l:sampah_menumpuk"),
        Incoming("location", lat=-8.05, lon=111.71), Incoming("choice", choice="ok"),
    )  # fmt: skip
    assert state is None and submit
    assert [r[0].kind for r in replies[:4]] == ["list", "list", "location", "buttons"]


def test_every_list_fits_whatsapp():
    for gid, _words, _codes in chat.groups(CATALOGUE):
        listed = chat._label_list(CATALOGUE, gid)
        for reply in (listed, chat._group_list(CATALOGUE)):
            assert 1 <= len(reply.rows) <= 10 and len(reply.button) <= chat.BUTTON_MAX
            assert all(len(t) <= chat.TITLE_MAX and len(d) <= chat.DESCRIPTION_MAX
                       for _id, t, d in reply.rows)  # fmt: skip


def test_every_label_is_offered_once_and_no_squad_the_public_may_not_know():
    offered = [c for _g, _w, codes in chat.groups(CATALOGUE) for c in codes]
    assert sorted(offered) == sorted(label.code for label in CATALOGUE.labels)
    words = " ".join(w for _g, w, _c in chat.groups(CATALOGUE)).lower()
    assert "bayangan" not in words and "shadow" not in words


@pytest.mark.parametrize(("typed", "code"), [
    ("Panggul", "panggul"), ("kec. pangul", "panggul"), ("KECAMATAN  Watulimo", "watulimo"),
    ("trengalek", "trenggalek"), ("Surabaya", None),
])  # fmt: skip
def test_a_kecamatan_is_found_forgivingly(typed, code):
    assert chat.district_named(typed, REGENCY) == code


def test_batal_ends_it_and_a_point_outside_is_refused():
    state, _r, _s = run(PHOTO, Incoming("choice", choice="g:orange"))
    assert run(Incoming("text", text="Batal"), state=state)[0] is None
    placed = Conversation(step="place", media_id="M1", label="banjir")
    state, replies, _ = run(Incoming("location", lat=-7.25, lon=112.75), state=placed)  # Surabaya
    assert state.step == "place" and "di luar Kabupaten Trenggalek" in replies[0][0].text


def test_text_before_a_photo_is_welcomed_and_a_wrong_choice_asked_again():
    state, replies, _ = run(Incoming("text", text="halo"))
    assert state.step == "photo" and "Kirim *foto*" in replies[0][0].text
    state, replies, _ = run(PHOTO, Incoming("choice", choice="g:nothing"))
    assert state.step == "group" and replies[-1][0].kind == "list"


def test_the_state_survives_storage():
    state, _r, _s = run(PHOTO, Incoming("choice", choice="g:orange"))
    assert Conversation.from_item(state.to_item()) == state
