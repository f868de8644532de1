"""Which segment a coding lands on (kvali.coding.placement): the one holding its start, else
the first one it overlaps, else none, whatever writer asks."""

from __future__ import annotations

from kvali.coding.placement import SegmentPlaces

# three segments with gaps between them (a speaker label, a blank line): [10, 20) [25, 40) [40, 50)
PLACES = SegmentPlaces([(10, 20, 1), (25, 40, 2), (40, 50, 3)])


def test_the_segment_holding_the_start() -> None:
    assert PLACES.segment_for(10, 12) == 1
    assert PLACES.segment_for(19, 45) == 1
    assert PLACES.segment_for(40, 41) == 3  # a segment's end belongs to the next one


def test_a_start_in_a_gap_takes_the_first_segment_overlapped() -> None:
    assert PLACES.segment_for(21, 30) == 2
    assert PLACES.segment_for(0, 11) == 1


def test_no_segment_overlapped() -> None:
    assert PLACES.segment_for(21, 25) is None
    assert PLACES.segment_for(0, 10) is None
    assert PLACES.segment_for(50, 60) is None
    assert SegmentPlaces([]).segment_for(0, 5) is None


def test_the_same_as_a_scan_of_every_segment() -> None:
    segments = [(10, 20, 1), (25, 40, 2), (40, 50, 3)]
    for start in range(0, 60):
        for end in range(start + 1, 62):
            holding = [i for a, b, i in segments if a <= start < b]
            overlapping = [i for a, b, i in segments if a < end and b > start]
            expected = (holding or overlapping or [None])[0]
            assert PLACES.segment_for(start, end) == expected, (start, end)
