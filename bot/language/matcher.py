"""Rank FAQ entries for a question: IDF-weighted stem overlap plus rapidfuzz similarity."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Protocol

from rapidfuzz import fuzz, process

from bot.config import MatcherConfig
from bot.language.normalize import Normalizer
from bot.language.questions import asking_part

# Weights of the three signals in the 0–100 score (they sum to 1).
COVERAGE_WEIGHT = 0.6
PRECISION_WEIGHT = 0.2
SIMILARITY_WEIGHT = 0.2
# A long message is not penalised for informative words beyond roughly this many.
COVERAGE_CAP_TERMS = 3.5
# ... and a question needs at least half an average word of information to be fully covered.
MIN_COVERAGE_TERMS = 0.5
# Corrected typos and compound parts count a little less than exact words.
CORRECTED_WEIGHT = 0.85
COMPOUND_WEIGHT = 0.8
# How alike the question's stems and a phrasing's stems are, 0–100 (word order ignored).
SIMILARITY = fuzz.token_set_ratio
# Only this many pre-ranked entries get the (more expensive) full score.
RESCORE_LIMIT = 25
# Words in more than this share of entries (and at least COMMON_MIN entries) only add weight to
# entries found by rarer words.
COMMON_SHARE = 0.05
COMMON_MIN = 500


@dataclass(frozen=True)
class Document:
    """What the matcher needs to know about one entry."""

    id: str
    title: str
    phrasings: Sequence[str]
    keywords: Sequence[str] = ()


@dataclass(frozen=True)
class Candidate:
    """An entry with its score (0–100, higher is better)."""

    id: str
    score: float


class Verdict(Enum):
    """What to do with a question."""

    ANSWER = "answer"  # confident and clearly ahead
    ANSWER_WITH_ALTERNATIVES = "answer_with_alternatives"  # the only plausible entry
    CLARIFY = "clarify"  # a close call between entries
    FALLBACK = "fallback"  # out of scope or too weak


@dataclass(frozen=True)
class Decision:
    """The matcher's verdict with the candidates behind it, best first."""

    verdict: Verdict
    candidates: tuple[Candidate, ...]

    @property
    def best(self) -> Candidate | None:
        """Return the best candidate, if any."""
        return self.candidates[0] if self.candidates else None


@dataclass(frozen=True)
class _QueryTerm:
    stem: str
    weight: float
    known: bool


class _Entry:
    """Index-side view of one document."""

    __slots__ = ("doc_id", "phrasings", "phrase_strings", "phrase_idf_mass", "with_stem")

    def __init__(self, doc_id: str, phrasings: list[frozenset[str]], strings: list[str]) -> None:
        self.doc_id = doc_id
        self.phrasings = phrasings
        self.phrase_strings = strings
        self.phrase_idf_mass: list[float] = []
        # Which phrasings contain a stem: precision needs only those sharing a word.
        with_stem: dict[str, list[int]] = defaultdict(list)
        for index, stems in enumerate(phrasings):
            for stem in stems:
                with_stem[stem].append(index)
        self.with_stem = dict(with_stem)


class Matcher:
    """An immutable index over documents that ranks and decides."""

    def __init__(
        self, documents: Iterable[Document], normalizer: Normalizer, config: MatcherConfig
    ) -> None:
        """Build the index.

        Args:
            documents: The entries to match against.
            normalizer: The text normaliser (shared with the rest of the core).
            config: Decision bands.

        """
        self._normalizer = normalizer
        self._config = config
        self._entries: list[_Entry] = []
        postings: dict[str, dict[int, float]] = defaultdict(dict)
        for index, document in enumerate(documents):
            stem_lists = [normalizer.stems(p) for p in (*document.phrasings, document.title)]
            stem_lists = [s for s in stem_lists if s]
            keywords = {st for k in document.keywords for st in normalizer.stems(k)}
            counts = Counter(st for stems in stem_lists for st in set(stems))
            n = max(len(stem_lists), 1)
            for stem in counts.keys() | keywords:
                # Words used in many phrasings of an entry (or named as keywords) are central to it.
                share = 1.0 if stem in keywords else min(1.0, counts[stem] / n * 2.5)
                postings[stem][index] = 0.6 + 0.4 * share
            self._entries.append(
                _Entry(
                    document.id,
                    [frozenset(s) for s in stem_lists],
                    [" ".join(sorted(s)) for s in stem_lists],
                )
            )
        self._postings = dict(postings)
        total = len(self._entries)
        self._idf = {
            stem: math.log(1 + (total - len(p) + 0.5) / (len(p) + 0.5))
            for stem, p in self._postings.items()
        }
        self._unknown_idf = math.log(1 + (total + 0.5) / 0.5)
        self._mean_idf = sum(self._idf.values()) / max(len(self._idf), 1)
        self._vocabulary = [stem for stem in self._idf if len(stem) >= 4]
        for entry in self._entries:
            entry.phrase_idf_mass = [sum(self._idf[s] for s in p) for p in entry.phrasings]
        # A message is ranked whole and by its asking part and its known share is computed:
        # each reads the same words (few kept: they are what parents wrote). Typos repeat.
        self._terms = lru_cache(maxsize=8)(self._query_terms)
        self._corrected = lru_cache(maxsize=8192)(self._correct)
        # The FAQ, the amount answers and the concern check rank the same words in one turn.
        self._ranked = lru_cache(maxsize=8)(self._rank_terms)

    def known_share(self, text: str) -> float:
        """Return how much of the question's information (IDF) the knowledge base knows, 0–1.

        Out-of-scope questions ("Excel SVERWEIS", "Ei wachsweich kochen") are mostly words the
        knowledge base has never seen, even when one everyday word lifts their score.
        """
        terms = self._terms(text)
        total = sum(t.weight * (self._idf[t.stem] if t.known else self._unknown_idf) for t in terms)
        known = sum(t.weight * self._idf[t.stem] for t in terms if t.known)
        return known / total if total else 0.0

    def rank_message(self, text: str, limit: int = 10) -> list[Candidate]:
        """Rank a message, weighing the sentences that ask above the background story."""
        question = asking_part(text)
        whole = self.rank(text, limit=RESCORE_LIMIT)
        if question is None:
            return whole[:limit]
        weight = self._config.question_weight
        asked = {c.id: c.score for c in self.rank(question, limit=RESCORE_LIMIT)}
        told = {c.id: c.score for c in whole}
        blended = [
            Candidate(i, round(weight * asked.get(i, 0.0) + (1 - weight) * told.get(i, 0.0), 1))
            for i in asked.keys() | told.keys()
        ]
        blended.sort(key=lambda c: (-c.score, c.id))
        return blended[:limit]

    @property
    def config(self) -> MatcherConfig:
        """Return the decision bands."""
        return self._config

    @property
    def size(self) -> int:
        """Return the number of indexed documents."""
        return len(self._entries)

    def _correct(self, stem: str) -> str | None:
        """Return the vocabulary stem a misspelt or differently inflected stem most likely means."""
        if len(stem) < 4:
            return None
        cutoff = 80.0 if len(stem) >= 8 else 85.0
        found = process.extractOne(stem, self._vocabulary, scorer=fuzz.ratio, score_cutoff=cutoff)
        if found:
            return str(found[0])
        if len(stem) >= 5:
            # Snowball leaves derivations apart ("berat" from beraten, "beratung"): accept a known
            # stem that extends this one by a short suffix.
            for suffix in ("ung", "en", "er", "e", "s", "ig", "lich", "isch"):
                if stem + suffix in self._idf:
                    return stem + suffix
        return None

    def _split(self, stem: str) -> list[str]:
        """Split an unknown compound into two known stems (with an optional linking 's')."""
        for cut in range(len(stem) - 3, 2, -1):
            head, tail = stem[:cut], stem[cut:]
            if head.endswith("s") and head[:-1] in self._idf:
                head = head[:-1]
            if head in self._idf:
                tail_stem = self._normalizer.stem(tail)
                for candidate in (tail, tail_stem):
                    if candidate in self._idf:
                        return [head, candidate]
        return []

    def _query_terms(self, text: str) -> tuple[_QueryTerm, ...]:
        terms: dict[str, _QueryTerm] = {}
        for stem in self._normalizer.stems(text):
            if stem in self._idf:
                terms.setdefault(stem, _QueryTerm(stem, 1.0, True))
            elif stem.isdigit():
                continue  # an unknown number (a date, an amount) says nothing about the topic
            elif corrected := self._corrected(stem):
                terms.setdefault(corrected, _QueryTerm(corrected, CORRECTED_WEIGHT, True))
            elif parts := self._split(stem):
                for part in parts:
                    terms.setdefault(part, _QueryTerm(part, COMPOUND_WEIGHT, True))
            else:
                terms.setdefault(stem, _QueryTerm(stem, 1.0, False))
        return tuple(terms.values())

    def rank(self, text: str, limit: int = 10) -> list[Candidate]:
        """Rank documents for `text`.

        Args:
            text: The question, raw.
            limit: How many candidates to return at most.

        Returns:
            Candidates with score > 0, best first.

        """
        return list(self._ranked(self._terms(text))[:limit])

    def _rank_terms(self, terms: tuple[_QueryTerm, ...]) -> tuple[Candidate, ...]:
        """Return the (at most RESCORE_LIMIT) candidates for a question's terms, best first."""
        known = [t for t in terms if t.known]
        if not known:
            return ()
        total = sum(t.weight * (self._idf[t.stem] if t.known else self._unknown_idf) for t in terms)
        # A question of one common word ("nicht") must not explain itself fully: at least one
        # average word's information is needed for full coverage.
        denominator = min(
            max(total, MIN_COVERAGE_TERMS * self._mean_idf), COVERAGE_CAP_TERMS * self._mean_idf
        )
        matched: dict[int, float] = defaultdict(float)
        common = max(COMMON_SHARE * len(self._entries), COMMON_MIN)
        # Rare words first: they find the candidates; very common words then only re-weight
        # candidates already found, which keeps large knowledge bases fast.
        for term in sorted(known, key=lambda t: self._idf[t.stem], reverse=True):
            informative = term.weight * self._idf[term.stem]
            posting = self._postings[term.stem]
            if matched and len(posting) > common and len(posting) > len(matched):
                for index in list(matched):
                    centrality = posting.get(index)
                    if centrality is not None:
                        matched[index] += informative * centrality
            else:
                for index, centrality in posting.items():
                    matched[index] += informative * centrality
        shortlist = sorted(matched.items(), key=lambda item: item[1], reverse=True)[:RESCORE_LIMIT]
        query_stems = {t.stem for t in known}
        query_string = " ".join(sorted(query_stems))
        candidates = []
        for index, mass in shortlist:
            entry = self._entries[index]
            coverage = min(1.0, mass / denominator)
            precision = self._precision(entry, query_stems)
            # One call per entry: rapidfuzz prepares the query once and skips hopeless phrasings.
            best = process.extractOne(query_string, entry.phrase_strings, scorer=SIMILARITY)
            similarity = best[1] if best is not None else 0.0
            score = 100 * (
                COVERAGE_WEIGHT * coverage
                + PRECISION_WEIGHT * precision
                + SIMILARITY_WEIGHT * similarity / 100
            )
            candidates.append(Candidate(entry.doc_id, round(score, 1)))
        candidates.sort(key=lambda c: c.score, reverse=True)
        return tuple(candidates)

    def _precision(self, entry: _Entry, query_stems: set[str]) -> float:
        """Return the largest share of a phrasing's information that the question contains."""
        precision = 0.0
        sharing = {i for stem in query_stems for i in entry.with_stem.get(stem, ())}
        for phrasing in sharing:
            stems, idf_mass = entry.phrasings[phrasing], entry.phrase_idf_mass[phrasing]
            if idf_mass:
                shared = sum(map(self._idf.__getitem__, stems & query_stems))
                precision = max(precision, shared / idf_mass)
        return precision

    def decide(self, text: str) -> Decision:
        """Rank and apply the decision bands from the configuration."""
        ranked = self.rank_message(text, limit=max(self._config.max_candidates, 3))
        return self.decide_ranked(ranked, self.known_share(text))

    def decide_ranked(self, ranked: Sequence[Candidate], known_share: float = 1.0) -> Decision:
        """Apply the decision bands to an existing ranking.

        Args:
            ranked: Candidates, best first.
            known_share: How much of the question the knowledge base knows (see `known_share`).

        Returns:
            Answer when confident and clearly ahead; answer with alternatives when the best entry
            is the only plausible one; clarify for a close call; fallback for weak or mostly
            unknown questions (a clarify with unrelated candidates is a fallback in disguise).

        """
        config = self._config
        top = tuple(ranked[: config.max_candidates])
        best = ranked[0].score if ranked else 0.0
        if best < config.clarify_score or (
            known_share < config.min_known_share and best < config.unsure_below
        ):
            return Decision(Verdict.FALLBACK, top)
        margin = best - (ranked[1].score if len(ranked) > 1 else 0.0)
        if best >= config.answer_score and margin >= config.clear_margin:
            return Decision(Verdict.ANSWER, top)
        if best >= config.tentative_score and margin >= config.tentative_margin:
            return Decision(Verdict.ANSWER_WITH_ALTERNATIVES, top)
        floor = max(config.clarify_score * 0.8, best - 20)
        return Decision(Verdict.CLARIFY, tuple(c for c in top if c.score >= floor))


class Matchable(Protocol):
    """What the matcher reads from a knowledge entry."""

    @property
    def id(self) -> str:
        """Return the entry id."""

    @property
    def title(self) -> str:
        """Return the title."""

    @property
    def questions(self) -> tuple[str, ...]:
        """Return the phrasings."""

    @property
    def keywords(self) -> tuple[str, ...]:
        """Return the keywords."""


def documents_from(entries: Iterable[Matchable]) -> list[Document]:
    """Turn knowledge entries into matcher documents."""
    return [Document(e.id, e.title, e.questions, e.keywords) for e in entries]
