"""The byte-pair tokenizer: training, round trips, spans, unknown characters, saving."""

import string

from hypothesis import given
from hypothesis import strategies as st

from lens.tokenizer import ASCII, PIECE, UNK, Tokenizer, train_tokenizer

TEXT = (
    "the cat sat on the mat. the cat ate the rat.\n"
    "then the rat sat on the hat, and the cat sat on the rat!\n"
) * 20


def test_training_adds_merges_up_to_the_vocab_size():
    tokenizer = train_tokenizer(TEXT, vocab_size=len(ASCII) + 1 + 20)
    assert tokenizer.vocab_size == len(ASCII) + 21
    assert tokenizer.tokens[0] == UNK
    assert " the" in tokenizer.tokens
    assert len(tokenizer.encode(TEXT)) < len(TEXT) / 2


def test_training_stops_when_no_pair_repeats():
    tokenizer = train_tokenizer("abc", vocab_size=1000)
    assert tokenizer.vocab_size == len(ASCII) + 1
    assert tokenizer.merges == []


def test_training_is_deterministic():
    assert train_tokenizer(TEXT, 130).to_json() == train_tokenizer(TEXT, 130).to_json()


def test_pieces_cover_every_character():
    text = "Hi  there,\n\n  1999 cats_and dogs!? é"
    assert "".join(PIECE.findall(text)) == text


def test_merges_never_cross_a_word(model):
    for token in model.tokenizer.tokens[1:]:
        assert PIECE.fullmatch(token) or token.isspace(), token


@given(st.text(alphabet=string.ascii_letters + string.digits + " .,;:!?'\"()-\n", max_size=200))
def test_known_text_round_trips(model, text):
    tokenizer = model.tokenizer
    encoding = tokenizer.encode_with_spans(text)
    assert tokenizer.decode(encoding.ids) == text
    assert encoding.unknown == []
    # The spans tile the text in order.
    assert [text[a:b] for a, b in encoding.spans] == [tokenizer.tokens[i] for i in encoding.ids]
    assert all(a == b for (_, a), (b, _) in zip(encoding.spans, encoding.spans[1:], strict=False))


@given(st.text(max_size=100))
def test_any_text_encodes_and_reports_what_it_cannot_read(model, text):
    tokenizer = model.tokenizer
    encoding = tokenizer.encode_with_spans(text)
    assert len(encoding.ids) <= len(text)
    assert "".join(text[a:b] for a, b in encoding.spans) == text
    known = tokenizer.alphabet
    assert [char for _, char in encoding.unknown] == [c for c in text if c not in known]
    for index, char in encoding.unknown:
        assert text[index] == char


def test_unknown_characters_become_unk_and_decode_as_replacement(model):
    tokenizer = model.tokenizer
    encoding = tokenizer.encode_with_spans("a \u2603 b")
    assert 0 in encoding.ids
    assert encoding.unknown == [(2, "\u2603")]
    assert tokenizer.decode(encoding.ids) == "a \ufffd b"


def test_display_shows_spaces_and_line_breaks(model):
    tokenizer = model.tokenizer
    space = tokenizer.tokens.index(" ")
    newline = tokenizer.tokens.index("\n")
    assert tokenizer.display(space) == "␣"
    assert tokenizer.display(newline) == "⏎"
    assert tokenizer.display(0) == UNK
    # What the lab sends with every text, read once per tokenizer.
    assert tokenizer.shown == tuple(tokenizer.display(i) for i in range(tokenizer.vocab_size))
    assert tokenizer.shown is tokenizer.shown


def test_json_round_trip(tmp_path):
    tokenizer = train_tokenizer(TEXT, 120)
    tokenizer.save(tmp_path / "tokenizer.json")
    again = Tokenizer.load(tmp_path / "tokenizer.json")
    assert again.tokens == tokenizer.tokens
    assert again.merges == tokenizer.merges
    assert again.encode(TEXT) == tokenizer.encode(TEXT)
