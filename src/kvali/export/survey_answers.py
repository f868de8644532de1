"""Survey answers as the national reports show them: for each open question, how many
municipalities answered (by region and size class), and the answers grouped by code."""

from __future__ import annotations

from dataclasses import dataclass, field

from kvali.export.coverage import Breakdown
from kvali.export.quotes import Quote


@dataclass
class AnswerGroup:
    """The answers to one question coded with one code (sub-codes rolled up)."""

    code_key: str
    code_name: str
    answers: int
    municipalities: int
    quotes: list[Quote] = field(default_factory=list)


@dataclass
class SurveyQuestion:
    """One open question of a survey: who answered it and what they said, by code."""

    question: str  # the survey variable ("s_3")
    question_text: str
    answers: int  # non-empty answers
    municipalities: int  # municipalities with at least one answer
    total: int  # municipalities in the project (98)
    by_region: list[Breakdown] = field(default_factory=list)
    by_size: list[Breakdown] = field(default_factory=list)
    groups: list[AnswerGroup] = field(default_factory=list)
