"""What a circle's intro says: its topic, who knows it and who wants to learn it, the departments
it bridges, a first prompt about the topic, and the hours everyone is at work."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace

from serendip.domain.intro_content import IntroCard, IntroPerson, build_card

TOPIC_PROMPTS = (
    "What got each of you into {topic}, and what would you like to get out of this circle?",
    "What's one thing about {topic} you'd like to understand better by the end of the season?",
    "Share one {topic} resource (a talk, a post, a tool) that changed how you work.",
    "What's a {topic} problem your team is facing that the others might see differently?",
    "If this circle built one small thing around {topic} this season, what would it be?",
)


def circle_card(intro_id: int, people: Sequence[IntroPerson], seed: int, topic: str) -> IntroCard:
    """The intro of a circle: a round's card, with the topic and a first prompt about it."""
    card = build_card(intro_id, people, seed)
    prompt = random.Random(seed * 1_000_003 + intro_id).choice(TOPIC_PROMPTS).format(topic=topic)
    return replace(card, topic=topic, starter=prompt)


def knowers(card: IntroCard) -> list[IntroPerson]:
    """Members who listed the circle's topic as expertise."""
    return [p for p in card.people if card.topic in p.expertise]


def learners(card: IntroCard) -> list[IntroPerson]:
    """Members who listed the circle's topic as an interest and not as expertise."""
    return [p for p in card.people if card.topic in p.interests and card.topic not in p.expertise]


def departments(card: IntroCard) -> list[str]:
    """The circle's departments, each once, in the members' order (people without one left out)."""
    return list(dict.fromkeys(p.department for p in card.people if p.department))
