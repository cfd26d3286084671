"""Retrieve, fuse, filter and de-duplicate: question → ranked hits.

Two retrievers score every bullet's contextual passage: BM25 over Sudachi tokens (exact words,
figures, names) and a dense embedder (paraphrase, citizen wording). Their scores are fused by a
convex combination of per-query normalised scores (see :func:`fuse`); the weight was chosen on the
dev questions, and `assistant eval` prints every ranking so the choice can be re-checked.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

import numpy as np

from assistant.domain.corpus import CanonicalMeasure, Corpus
from assistant.domain.model import ActivityBullet, Measure
from assistant.domain.normalize import Corrections, normalize_text
from assistant.domain.notices import Notice
from assistant.retrieval.embed import Embedder
from assistant.retrieval.index import SearchIndex
from assistant.retrieval.query import QueryUnderstanding, understand
from assistant.retrieval.tokenize import SynonymTable, expand_query
from assistant.tuning import CANDIDATES, DENSE_WEIGHT, QUERY_CACHE

# Bump when the query side changes how it scores (expansion, weights): cached calibrations depend on it.
QUERY_PIPELINE_VERSION = 3  # 3: synonyms match with or without ・


class Ranking(StrEnum):
    FUSED = "fused"
    LEXICAL = "bm25"
    DENSE = "dense"


class FilterError(ValueError):
    """An explicit filter names a year or department that is not in the data."""

    def __init__(self, message: str, field_name: str, allowed: list[str], values: list[str]) -> None:
        super().__init__(message)
        self.field_name, self.allowed, self.values = field_name, allowed, values


@dataclass(frozen=True)
class Filters:
    """Restrictions on hits. Empty tuples mean no restriction."""

    years: tuple[int, ...] = ()
    departments: tuple[str, ...] = ()
    sections: tuple[int, ...] = ()
    measure_ids: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return not (self.years or self.departments or self.sections or self.measure_ids)

    def merged(self, other: Filters) -> Filters:
        """Explicit filters win over those read from the question, field by field."""
        return Filters(
            years=self.years or other.years,
            departments=self.departments or other.departments,
            sections=self.sections or other.sections,
            measure_ids=self.measure_ids or other.measure_ids,
        )


@dataclass(frozen=True)
class Hit:
    """A bullet that answers the question, with its measure and every year it was reported word for word."""

    rank: int
    score: float
    bullet_id: int
    bullet: ActivityBullet
    measure: CanonicalMeasure
    version: Measure  # the measure as printed in the report of the bullet's year
    fiscal_years: tuple[int, ...]  # all years with this exact text for this measure (newest last)
    bullet_ids: tuple[int, ...]  # their bullet ids, same order


@dataclass(frozen=True)
class SearchResult:
    query: str
    filters: Filters
    understanding: QueryUnderstanding
    hits: tuple[Hit, ...]
    ranking: Ranking = Ranking.FUSED
    notices: tuple[Notice, ...] = field(default=())
    # Raw evidence, comparable across questions (fused scores are normalised per question):
    best_cosine: float = -1.0  # the best dense cosine over all bullets, before filters
    best_bm25: float = 0.0  # the best BM25 score over all bullets, before filters


def fuse(lexical: np.ndarray, dense: np.ndarray, weight: float = DENSE_WEIGHT) -> np.ndarray:
    """Convex combination of per-query normalised scores.

    BM25 scores have no fixed scale, so they are divided by the query's best score; cosine scores
    are min-max scaled over the candidates. Unlike reciprocal-rank fusion this keeps *how much*
    better the best candidate is, which is what lets a strong dense match survive a weak lexical one
    (naive RRF measured below dense alone on these reports).
    """
    lex = lexical / lexical.max() if lexical.size and lexical.max() > 0 else np.zeros_like(lexical)
    if dense.size and dense.max() > dense.min():
        den = (dense - dense.min()) / (dense.max() - dense.min())
    else:
        den = np.zeros_like(dense)
    fused: np.ndarray = weight * den + (1.0 - weight) * lex
    return fused


class Searcher:
    """Holds the loaded index and the query-side models; safe to share across threads."""

    def __init__(
        self,
        index: SearchIndex,
        embedder: Embedder,
        tokenizer: Callable[[str], list[str]],
        synonyms: SynonymTable,
        corrections: Corrections,
        dense_weight: float = DENSE_WEIGHT,
    ) -> None:
        if embedder.name != index.manifest.embedder:
            raise ValueError(f"index built with {index.manifest.embedder!r}, queried with {embedder.name!r}")
        self.index, self.embedder, self.tokenizer = index, embedder, tokenizer
        self.synonyms, self.corrections, self.dense_weight = synonyms, corrections, dense_weight
        # One question is embedded once even when an answer searches it twice (a fact asked for a year is
        # also looked up in every year; a new-this-year question with a topic is scored again). Embedding is
        # most of a search's cost (9.6 ms of 14 ms p50, scripts/bench.py); the cache holds a few hundred vectors.
        self._embed = lru_cache(maxsize=QUERY_CACHE)(self._embed_uncached)
        corpus = index.corpus
        self._years = np.array([b.fiscal_year for b in corpus.bullets], dtype=np.int32)
        self._sections = np.array([corpus.measure(b.measure_id).section.number for b in corpus.bullets], dtype=np.int32)
        self._measure_ix = {m.measure_id: i for i, m in enumerate(corpus.measures)}
        self._measures = np.array([self._measure_ix[b.measure_id] for b in corpus.bullets], dtype=np.int32)
        # A bullet is "of" a department when its 【…】 block names it, or, with no block, its measure lists it.
        # Vectorised per department: a Python loop over departments × bullets took 0.33 s at 100k bullets.
        dept_ix = {d: k for k, d in enumerate(corpus.departments)}
        block = np.array([dept_ix.get(b.department, -1) for b in corpus.bullets], dtype=np.int32)
        unblocked = np.array([not b.department for b in corpus.bullets], dtype=bool)
        self._departments: dict[str, np.ndarray] = {}
        for d, k in dept_ix.items():
            listing = [i for i, m in enumerate(corpus.measures) if d in m.departments]
            self._departments[d] = (block == k) | (unblocked & np.isin(self._measures, listing))
        # Identical text of one measure in several years collapses into one hit.
        group_ids: dict[tuple[str, str], int] = {}
        self._group_of = np.array(
            [
                group_ids.setdefault((b.measure_id, normalize_text(b.text, corrections, squash=True)), len(group_ids))
                for b in corpus.bullets
            ],
            dtype=np.int64,
        )
        # A zero-copy view of the FAISS flat index's vectors, for rescoring lexical-only candidates.
        import faiss

        flat = index.vectors
        self._vectors = faiss.rev_swig_ptr(flat.get_xb(), flat.ntotal * flat.d).reshape(flat.ntotal, flat.d)
        members: list[list[int]] = [[] for _ in group_ids]
        for i, g in enumerate(self._group_of):
            members[g].append(i)
        self._group_members = [np.array(m, dtype=np.int64) for m in members]

    @property
    def corpus(self) -> Corpus:
        return self.index.corpus

    # ---- filters --------------------------------------------------------------------------------

    def validate(self, filters: Filters) -> Filters:
        """Reject explicit filter values the data does not have, with the allowed ones."""
        years = self.corpus.fiscal_years
        bad_years = [y for y in filters.years if y not in years]
        if bad_years:
            raise FilterError(
                f"unknown fiscal year(s) {bad_years}", "years", [str(y) for y in years], [str(y) for y in bad_years]
            )
        names = {unicodedata.normalize("NFKC", d): d for d in self.corpus.departments}
        departments = []
        for d in filters.departments:
            key = unicodedata.normalize("NFKC", d).strip()
            if key not in names:
                raise FilterError(f"unknown department {d!r}", "departments", list(self.corpus.departments), [d])
            departments.append(names[key])
        sections = [s.number for s in self.corpus.sections]
        if any(s not in sections for s in filters.sections):
            raise FilterError(
                f"unknown section(s) {list(filters.sections)}",
                "sections",
                [str(s) for s in sections],
                [str(s) for s in filters.sections if s not in sections],
            )
        bad_ids = [m for m in filters.measure_ids if not self.corpus.has_measure(m)]
        if bad_ids:
            raise FilterError(
                f"unknown measure id(s) {bad_ids}", "measure_ids", [m.measure_id for m in self.corpus.measures], bad_ids
            )
        return Filters(filters.years, tuple(departments), filters.sections, filters.measure_ids)

    def mask(self, filters: Filters) -> np.ndarray | None:
        if filters.is_empty():
            return None
        keep = np.ones(len(self.corpus.bullets), dtype=bool)
        if filters.years:
            keep &= np.isin(self._years, filters.years)
        if filters.sections:
            keep &= np.isin(self._sections, filters.sections)
        if filters.measure_ids:
            keep &= np.isin(self._measures, [self._measure_ix[m] for m in filters.measure_ids])
        if filters.departments:
            dep = np.zeros_like(keep)
            for d in filters.departments:
                dep |= self._departments[d]
            keep &= dep
        return keep

    # ---- scoring --------------------------------------------------------------------------------

    def lexical_scores(self, question: str) -> np.ndarray:
        """BM25 score of every passage for the question (expanded with the synonym table)."""
        expanded = expand_query(normalize_text(question, self.corrections), self.synonyms)
        tokens = self.tokenizer(expanded)
        if not tokens:
            return np.zeros(len(self.corpus.bullets), dtype=np.float32)
        return np.asarray(self.index.bm25.get_scores(tokens), dtype=np.float32)

    def query_vector(self, question: str) -> np.ndarray:
        """The question embedded with the synonym table's expansion, as BM25 sees it: e5 does not know that
        ヤクザ is 暴力団 in the city's words (measured: dense MRR@10 0.958 → 0.979 on the dev questions,
        0.850 → 0.905 on the extra ones)."""
        expanded = expand_query(normalize_text(question, self.corrections), self.synonyms)
        # A bounded embedder cuts (and notes the cut) before the cache, so a cached vector still raises the notice.
        bound = getattr(self.embedder, "bound", None)
        return self._embed(bound(expanded) if bound else expanded)

    def _embed_uncached(self, expanded: str) -> np.ndarray:
        vector = np.ascontiguousarray(self.embedder.embed_queries([expanded]), dtype=np.float32)
        vector.flags.writeable = False  # shared by every caller of the cache
        return vector

    def dense_candidates(self, qvec: np.ndarray, keep: np.ndarray | None, k: int) -> tuple[np.ndarray, np.ndarray]:
        """FAISS inner-product search (cosine on unit vectors) restricted to ``keep``: (ids, scores)."""
        import faiss

        index = self.index.vectors
        params = None
        if keep is not None:
            bits = np.packbits(keep, bitorder="little")
            selector = faiss.IDSelectorBitmap(len(keep), faiss.swig_ptr(bits))
            params = faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]  # a SWIG keyword its stubs omit
        k = min(k, index.ntotal)
        scores, ids = index.search(qvec, k, params=params)
        valid = ids[0] >= 0
        return ids[0][valid], scores[0][valid]

    def scores(self, question: str, ranking: Ranking, keep: np.ndarray | None = None) -> np.ndarray:
        """A score per bullet (−inf where filtered out or not a candidate); higher is better."""
        return self._score(question, ranking, keep)[0]

    def _score(self, question: str, ranking: Ranking, keep: np.ndarray | None) -> tuple[np.ndarray, float, float]:
        """(scores, best cosine, best BM25); the two maxima are -1/0 when a retriever was not run."""
        n = len(self.corpus.bullets)
        out = np.full(n, -np.inf, dtype=np.float32)
        best_bm25 = 0.0
        if ranking is not Ranking.DENSE:
            lexical = self.lexical_scores(question)
            # The evidence that a question is in scope is taken before filters: 「パトロール」 restricted to one
            # year is as much about the reports as without the restriction.
            best_bm25 = float(lexical.max()) if n else 0.0
            if keep is not None:
                lexical = np.where(keep, lexical, -np.inf)
            if ranking is Ranking.LEXICAL:
                return np.where(lexical > 0, lexical, -np.inf), -1.0, best_bm25
        qvec = self.query_vector(question)
        ids, dense = self.dense_candidates(qvec, keep, CANDIDATES)
        if keep is None:
            best_cosine = float(dense.max()) if len(dense) else -1.0
        else:
            _, overall = self.dense_candidates(qvec, None, 1)
            best_cosine = float(overall.max()) if len(overall) else -1.0
        if ranking is Ranking.DENSE:
            out[ids] = dense
            return out, best_cosine, best_bm25
        # Fuse over the union of both retrievers' candidates; dense scores of lexical-only candidates are
        # computed directly from the stored vectors.
        lex_top = np.argpartition(-lexical, min(CANDIDATES, n) - 1)[:CANDIDATES]
        lex_top = lex_top[np.isfinite(lexical[lex_top]) & (lexical[lex_top] > 0)]
        union = np.union1d(ids, lex_top).astype(np.int64)
        dense_all = self._vectors[union] @ qvec[0]
        out[union] = fuse(lexical[union], dense_all, self.dense_weight)
        return out, best_cosine, best_bm25

    # ---- search ---------------------------------------------------------------------------------

    def search(
        self,
        question: str,
        *,
        top_k: int = 10,
        filters: Filters | None = None,
        ranking: Ranking = Ranking.FUSED,
        use_question_filters: bool = True,
    ) -> SearchResult:
        """Rank the bullets for ``question``; years and departments named in it become filters."""
        explicit = self.validate(filters or Filters())
        understanding = understand(question, self.corpus.fiscal_years, self.corpus.departments)
        implied = Filters(years=understanding.years, departments=understanding.departments)
        applied = explicit.merged(implied) if use_question_filters else explicit
        notices: list[Notice] = []
        if understanding.unknown_years and not understanding.years and not explicit.years:
            notices.append(Notice.UNKNOWN_YEAR)
        keep = self.mask(applied)
        scores, best_cosine, best_bm25 = self._score(question, ranking, keep)
        hits = self._collect(scores, top_k, keep)
        if Notice.UNKNOWN_YEAR in notices:
            hits = ()  # a year we have no report for must not be answered from other years
        return SearchResult(question, applied, understanding, hits, ranking, tuple(notices), best_cosine, best_bm25)

    def _collect(self, scores: np.ndarray, top_k: int, keep: np.ndarray | None) -> tuple[Hit, ...]:
        corpus = self.corpus
        valid = np.isfinite(scores)
        taken: list[int] = []
        seen: set[int] = set()
        # Most questions are answered from the first few hundred candidates; sort those only.
        for pool in (min(len(scores), top_k * 20), len(scores)):
            candidates = np.argpartition(-scores, pool - 1)[:pool] if pool < len(scores) else np.arange(len(scores))
            for i in candidates[np.argsort(-scores[candidates], kind="stable")]:
                if not valid[i]:
                    break
                g = int(self._group_of[i])
                if g not in seen:
                    seen.add(g)
                    taken.append(int(i))
                    if len(taken) == top_k:
                        break
            if len(taken) == top_k or pool == len(scores):
                break
            taken, seen = [], set()
        hits = []
        for rank, best in enumerate(taken, 1):
            members = [int(m) for m in self._group_members[self._group_of[best]] if keep is None or keep[m]]
            members.sort(key=lambda i: corpus.bullets[i].fiscal_year)
            # The newest year of identical text stands for the group; its citation lists every year.
            head = members[-1]
            bullet = corpus.bullets[head]
            hits.append(
                Hit(
                    rank=rank,
                    score=float(scores[best]),
                    bullet_id=head,
                    bullet=bullet,
                    measure=corpus.measure(bullet.measure_id),
                    version=corpus.version_for(bullet.measure_id, bullet.fiscal_year),
                    fiscal_years=tuple(corpus.bullets[i].fiscal_year for i in members),
                    bullet_ids=tuple(members),
                )
            )
        return tuple(hits)
