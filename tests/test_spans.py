"""Where a reader selection becomes a coding span: inside segment text, whole words, no spaces."""

from __future__ import annotations

from kvali.coding.spans import clamp_to_segments, snap_to_words

TEXT = "I: Hvordan går det?\nIP1: Vi holder netværksmøder hver måned.\n"
FIRST = (3, 19)  # "Hvordan går det?"
SECOND = (25, 61)  # "Vi holder netværksmøder hver måned."


def test_a_selection_inside_words_is_widened_to_the_whole_words() -> None:
    start = TEXT.index("older")
    span = snap_to_words(TEXT, start, start + 9)  # "older net"
    assert span is not None and TEXT[span[0]:span[1]] == "holder netværksmøder"


def test_spaces_around_a_selection_are_trimmed_and_punctuation_kept() -> None:
    start = TEXT.index(" hver")
    assert TEXT[slice(*snap_to_words(TEXT, start, start + 12))] == "hver måned."
    assert snap_to_words(TEXT, 19, 20) is None  # only the line break


def test_snapping_never_leaves_its_bounds() -> None:
    start = TEXT.index("netværks")
    span = snap_to_words(TEXT, start + 2, start + 4, lower=start + 1, upper=start + 6)
    assert span == (start + 1, start + 6)


def test_a_selection_starting_in_a_label_starts_at_the_segment_text() -> None:
    label = TEXT.index("IP1")
    assert clamp_to_segments(label, 30, [FIRST, SECOND]) == (SECOND[0], 30)
    assert clamp_to_segments(10, label + 2, [FIRST, SECOND]) == (10, FIRST[1])
    assert clamp_to_segments(FIRST[1], SECOND[0], [FIRST, SECOND]) is None


def test_a_selection_over_two_segments_keeps_both_ends() -> None:
    assert clamp_to_segments(5, 40, [FIRST, SECOND]) == (5, 40)
