"""Shared fixtures: the shipped knowledge base and a dialogue core built from it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.checks import validate
from bot.config import Config
from bot.dialogue import Dialogue
from bot.knowledge import KnowledgeBase

os.environ.setdefault("PTB_TIMEDELTA", "true")  # see handlers/__init__.py

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return validate(KNOWLEDGE)


@pytest.fixture(scope="session")
def dialogue(kb: KnowledgeBase) -> Dialogue:
    return Dialogue(kb, Config())
