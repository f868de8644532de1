"""The search query language: parsing, error messages and the FTS5 expression it compiles to."""

from __future__ import annotations

import pytest

from kvali.errors import QueryError
from kvali.search.expand import Expansions, WordExpansion
from kvali.search.fts import to_fts
from kvali.search.query import BinaryOp, Near, Phrase, Prefix, Word, index_tokens, parse_query


def test_index_tokens_keep_danish_letters_and_split_like_fts5():
    assert index_tokens("Åbenrå's § 18-midler, netværks-tilgang") == [
        "åbenrå", "s", "18", "midler", "netværks", "tilgang"]


def test_words_phrases_prefix_and_implicit_and():
    assert parse_query("netværk") == Word("netværk")
    assert parse_query('"Borgerens nære netværk"') == Phrase(("borgerens", "nære", "netværk"))
    assert parse_query("civil*") == Prefix("civil")
    assert parse_query("18-midler") == Phrase(("18", "midler"))
    assert parse_query("a b") == BinaryOp("AND", Word("a"), Word("b"))


@pytest.mark.parametrize(("danish", "english"), [
    ("a OG b", "a AND b"), ("a ELLER b", "a OR b"), ("a IKKE b", "a NOT b"),
    ("a OG IKKE b", "a AND NOT b"),
])
def test_danish_operators_mean_the_english_ones(danish, english):
    assert parse_query(danish) == parse_query(english)


def test_lower_case_operators_are_words():
    assert parse_query("far og mor") == BinaryOp(
        "AND", BinaryOp("AND", Word("far"), Word("og")), Word("mor"))


def test_precedence_near_not_and_or():
    tree = parse_query("a OR b c NOT d")
    assert tree == BinaryOp("OR", Word("a"),
                            BinaryOp("AND", Word("b"), BinaryOp("NOT", Word("c"), Word("d"))))
    assert parse_query("(a OR b) c") == BinaryOp("AND", BinaryOp("OR", Word("a"), Word("b")),
                                                 Word("c"))


def test_near_distance_defaults_and_takes_the_smallest():
    assert parse_query("a NEAR b") == Near((Word("a"), Word("b")), 10)
    assert parse_query('a NEAR/3 "b c" NEAR/7 d*') == Near(
        (Word("a"), Phrase(("b", "c")), Prefix("d")), 3)


def test_non_word_characters_are_separators_not_syntax():
    assert parse_query("^netværk:") == Word("netværk")
    assert parse_query("§ 18") == Word("18")


@pytest.mark.parametrize(("query", "message"), [
    ('"netværk', 'the " at position 1 is never closed'),
    ("(a OR b", 'the "(" at position 1 is never closed'),
    ("a)", 'the ")" at position 2 has no matching ('),
    ("a OR", "OR at position 3 needs a word or phrase after it"),
    ("NOT a", "NOT at position 1 needs a word or phrase before it"),
    ("OR", "OR at position 1 has no words to work on"),
    ("net*værk", "* at position 4: a prefix star goes at the end of a word"),
    ('"a b"*', "not after a phrase"),
    ("a NEAR/200 b", "from 0 to 100"),
    ("a NEAR (b c)", "NEAR joins words or phrases"),
    ("()", "no words to search for"),
    ("(a) ()", "empty parentheses at position 5"),
    ("§ -", "no words to search for"),
])
def test_malformed_queries_say_what_and_where(query, message):
    with pytest.raises(QueryError, match=None) as info:
        parse_query(query)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(("query", "message"), [
    ("IKKE a", "IKKE at position 1 needs a word or phrase before it"),
    ("ELLER", "ELLER at position 1 has no words to work on"),
    ("a OG", "OG at position 3 needs a word or phrase after it"),
    ("a ELLER (b IKKE)", "IKKE at position 12 needs a word or phrase after it"),
    ("a OG IKKE", "IKKE at position 6 needs a word or phrase after it"),
    ("a AND", "AND at position 3 needs a word or phrase after it"),
])
def test_errors_name_the_operator_as_typed(query, message):
    with pytest.raises(QueryError) as info:
        parse_query(query)
    assert str(info.value).startswith(message)


def test_a_word_keeps_the_capitals_it_was_typed_with():
    assert parse_query("Randers") == Word("randers", "Randers")
    assert parse_query("^Randers:").as_typed == "Randers"
    assert parse_query("randers") == Word("randers")
    assert parse_query("randers").as_typed == "randers"


def test_fts_expression_quotes_every_token_and_parenthesises():
    expansions = Expansions(
        lemmas={"netværket": ("netværk",), "borgerens": ("borger",), "nære": ("nære",)},
        words={"netværket": WordExpansion("netværket", ("netværk",), compounds=["netværksmøde"])},
    )
    tree = parse_query('netværket IKKE "borgerens nære" OR civil*')
    assert to_fts(tree, expansions) == (
        '((("netværket" OR "netværk" OR "netværksmøde") NOT '
        '("borgerens nære" OR "borger nære")) OR "civil"*)')


def test_fts_near_matches_as_written_or_as_lemmas():
    expansions = Expansions(lemmas={"gik": ("gå",), "frivillige": ("frivillig",)}, words={})
    tree = parse_query("gik NEAR/4 frivillige")
    assert to_fts(tree, expansions) == (
        '(NEAR("gik" "frivillige", 4) OR NEAR("gå" "frivillig", 4))')


def test_oversized_queries_are_refused_with_a_message():
    with pytest.raises(QueryError, match="at most 100"):
        parse_query(" OR ".join(f"ord{i}" for i in range(101)))
    with pytest.raises(QueryError, match="nested more than 10 deep"):
        parse_query("(" * 11 + "a" + ")" * 11)
    with pytest.raises(QueryError, match="longer than 2,000"):
        parse_query("a" * 2001)
    assert parse_query("(" * 10 + "a" + ")" * 10) == Word("a")


def test_fts_expression_for_ranking_leaves_out_alternatives_the_index_lacks():
    expansions = Expansions(
        lemmas={"netværg": ("netværge",)},
        words={"netværg": WordExpansion("netværg", ("netværge",), fuzzy=["netværk"]),
               "frivilig": WordExpansion("frivilig", ())},
    )
    tree = parse_query("netværg IKKE frivilig")
    assert to_fts(tree, expansions) == '(("netværg" OR "netværge" OR "netværk") NOT "frivilig")'
    assert to_fts(tree, expansions, {"netværk", "borger"}) == '("netværk" NOT "frivilig")'
