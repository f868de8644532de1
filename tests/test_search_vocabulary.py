"""The vocabulary's look-ups (one string search per word, remembered) answer as a scan of every
term would."""

from __future__ import annotations

import pytest

from kvali.search.vocabulary import Vocabulary

TERMS = ["netværk", "netværkene", "familienetværket", "åen", "aabenraa", "forening",
         "foreningsnetværk", "e", "2024", "netværksmøde", "ning", "læsning", "netværg"]


@pytest.mark.parametrize("part", ["netværk", "ning", "e", "aa", "å", "zz", "netværkene", "",
                                  "x\ny", "2024", "g"])
def test_terms_containing_a_word_are_those_a_scan_finds_in_order(part):
    vocab = Vocabulary(dict.fromkeys(TERMS, 1))
    expected = [t for t in vocab.terms if part in t and t != part]
    assert vocab.containing(part) == expected
    found = vocab.containing(part)  # remembered: a copy each time
    found.append("x")
    assert vocab.containing(part) == expected


def test_similar_terms_are_remembered_per_word_and_distance():
    vocab = Vocabulary({"netværk": 9, "netværg": 1, "netværket": 3, "forening": 2})
    assert vocab.similar("netværk", 1, 10) == [("netværg", 1)]
    assert vocab.similar("netværk", 2, 10) == [("netværg", 1), ("netværket", 2)]
    assert vocab.similar("netværk", 2, 1) == [("netværg", 1)]
