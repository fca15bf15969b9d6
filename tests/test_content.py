"""The content checks over whatever content/ holds: every output equals its data.

Each check (tests/content_checks.py) runs for every topic and card that site.yaml lists, so
a topic added or a cell edited is checked as it is, with no test to update.
"""

from __future__ import annotations

import pytest

from content_checks import TOPIC_CHECKS, cards_of, check_card, topics_of
from source_data import CONTENT

SLUGS = topics_of(CONTENT)
CARDS = cards_of(CONTENT)


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("check", TOPIC_CHECKS, ids=lambda check: check.__name__)
def test_topic_outputs_equal_the_data(built, check, slug):
    check(built, CONTENT, slug)


@pytest.mark.parametrize("card", CARDS, ids=[card["topic"] for card in CARDS])
def test_every_card_item_is_in_the_pdf_text(built, card):
    check_card(built, CONTENT, card)
