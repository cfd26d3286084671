"""Answer quality on judged questions: does the answer a user reads answer the question? Pass rate per kind.

Answer file: JSON lines with ``q``, ``kind`` (fact | topic | absent | oos | followup | dept | compare | clarify),
optional ``history`` (earlier turns) and the checks of its kind:

- ``fact``: one of ``lead_any`` is in the lead's first sentence (the figure, date or place asked for);
- ``topic`` / ``followup`` / ``dept`` / ``compare``: every ``must_all`` and one of ``must_any`` is in the
  answer text, and ``found`` (where given) equals the answer's;
- ``absent``: the reports never mention it, and the answer says so (coverage none or related, or the lead
  states it);
- ``oos``: not about the reports at all: no citations;
- ``clarify``: the question fits several activities: the answer asks back with two or more choices, whose
  labels hold every ``must_all``. An answer of any other kind that asks back fails.

On every kind, where the line has them: ``lead_any`` — the first sentence of the lead (up to and including its
first 。; after a leading はい。/いいえ。, the sentence that follows too) holds one of the strings; ``yes_no``
(``yes`` | ``no`` | ``neither``) — the lead starts with はい / いいえ (for ``no``, a lead that states the absence also
passes; for ``neither``, with neither: a question of how or what, not whether).
On every line, given the report's wording (:class:`Wording`): the phrase check of :mod:`assistant.answer.phrase`
(the lead's subject and quotes are report text or noun phrases), which fails the outcome; and the lead's
content words missing from what it cites (:mod:`assistant.answer.faithful`), reported beside the pass rate.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from assistant.answer import Answer, Coverage, Turn
from assistant.answer.faithful import template_words, unsupported_words
from assistant.answer.phrase import Morphemes, PhraseProblem, first_sentence, phrase_problems, report_texts
from assistant.answer.phrases import asks_about_nothing_done, says_nothing_done
from assistant.answer.question import Role
from assistant.answer.records import cited_numbers
from assistant.domain.corpus import Corpus
from assistant.domain.normalize import Corrections
from assistant.retrieval.evaluate import read_jsonl


class AnswerKind(StrEnum):
    FACT = "fact"
    TOPIC = "topic"
    ABSENT = "absent"
    OOS = "oos"
    FOLLOWUP = "followup"
    DEPT = "dept"
    COMPARE = "compare"
    CLARIFY = "clarify"  # ambiguous: the answer asks back with two or more choices


class YesNo(StrEnum):
    YES = "yes"
    NO = "no"
    NEITHER = "neither"  # 「…を防ぐには？」 asks how: a lead opening with はい or いいえ answers nothing asked


class Check(StrEnum):
    """A check an answer can fail."""

    KIND = "kind"  # the check of the judgement's kind (must_all, must_any, found, absence, no citations)
    LEAD_ANY = "lead_any"  # none of lead_any in the lead's first sentence
    YES_NO = "yes_no"  # the lead does not start with the expected はい / いいえ
    PHRASE = "phrase"  # the lead's subject or a quote is neither report text nor a noun phrase
    YES_ON_NOTHING = "yes_on_nothing"  # はい resting on a bullet that reports nothing done (「…の影響で中止」)


# Kinds whose answer is in the reports; absent and oos are not.
ANSWERABLE = frozenset(
    {AnswerKind.FACT, AnswerKind.TOPIC, AnswerKind.FOLLOWUP, AnswerKind.DEPT, AnswerKind.COMPARE, AnswerKind.CLARIFY}
)
_YES, _NO = "はい", "いいえ"


@dataclass(frozen=True)
class AnswerJudgement:
    id: str
    q: str
    kind: AnswerKind
    history: tuple[Turn, ...] = ()
    lead_any: tuple[str, ...] = ()
    must_all: tuple[str, ...] = ()
    must_any: tuple[str, ...] = ()
    found: bool | None = None
    yes_no: YesNo | None = None


@dataclass(frozen=True)
class Wording:
    """What judging the lead's wording reads: the report's texts, a tokenizer's morphemes, the template words."""

    texts: tuple[str, ...]
    morphemes: Morphemes
    templates: frozenset[str]


def wording(corpus: Corpus, corrections: Corrections | None, morphemes: Morphemes) -> Wording:
    """Built once per evaluation (``morphemes`` is e.g. ``SudachiTokenizer.morphemes``: one shared dictionary)."""
    return Wording(report_texts(corpus, corrections), morphemes, template_words(morphemes))


@dataclass(frozen=True)
class Verdict:
    failed: tuple[Check, ...]
    phrases: tuple[PhraseProblem, ...] = ()
    unsupported: tuple[str, ...] = ()  # content words of the lead that nothing cited holds (reported, not failed)

    @property
    def passed(self) -> bool:
        return not self.failed


@dataclass(frozen=True)
class AnswerOutcome:
    judgement: AnswerJudgement
    passed: bool
    lead: str
    coverage: Coverage
    failed: tuple[Check, ...] = ()
    phrases: tuple[PhraseProblem, ...] = ()
    unsupported: tuple[str, ...] = ()


@dataclass
class AnswerReport:
    file: str
    outcomes: list[AnswerOutcome] = field(default_factory=list)

    def of_kind(self, kind: AnswerKind | None) -> list[AnswerOutcome]:
        return [o for o in self.outcomes if kind is None or o.judgement.kind is kind]

    def pass_rate(self, kind: AnswerKind | None = None) -> float:
        chosen = self.of_kind(kind)
        return sum(o.passed for o in chosen) / max(len(chosen), 1)

    def false_refusals(self) -> list[AnswerOutcome]:
        """Questions the reports answer that were not answered directly."""
        return [o for o in self.outcomes if o.judgement.kind in ANSWERABLE and o.coverage is not Coverage.DIRECT]

    def false_acceptances(self) -> list[AnswerOutcome]:
        """Questions the reports do not answer that were answered as if they did."""
        return [o for o in self.outcomes if o.judgement.kind not in ANSWERABLE and o.coverage is Coverage.DIRECT]

    def phrase_failures(self, kind: AnswerKind | None = None) -> list[AnswerOutcome]:
        """Answers whose lead names something in words that are neither report text nor a noun phrase."""
        return [o for o in self.of_kind(kind) if o.phrases]

    def unsupported_failures(self, kind: AnswerKind | None = None) -> list[AnswerOutcome]:
        """Answers whose lead uses content words that nothing it cites holds."""
        return [o for o in self.of_kind(kind) if o.unsupported]

    def kinds(self) -> list[AnswerKind]:
        return [k for k in AnswerKind if any(o.judgement.kind is k for o in self.outcomes)]

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "questions": len(self.outcomes),
            "pass_rate": round(self.pass_rate(), 4),
            "by_kind": {
                k.value: {
                    "n": len(self.of_kind(k)),
                    "pass_rate": round(self.pass_rate(k), 4),
                    "phrase_failures": len(self.phrase_failures(k)),
                    "unsupported_failures": len(self.unsupported_failures(k)),
                }
                for k in self.kinds()
            },
            "false_refusals": [o.judgement.id for o in self.false_refusals()],
            "false_acceptances": [o.judgement.id for o in self.false_acceptances()],
            "failures": [
                {
                    "id": o.judgement.id,
                    "kind": o.judgement.kind.value,
                    "q": o.judgement.q,
                    "lead": o.lead,
                    "failed": [c.value for c in o.failed],
                }
                for o in self.outcomes
                if not o.passed
            ],
            "phrase_failures": len(self.phrase_failures()),
            "phrase_problems": [
                {"id": o.judgement.id, "phrase": p.phrase, "role": p.role.value, "rule": p.rule.value, "lead": o.lead}
                for o in self.phrase_failures()
                for p in o.phrases
            ],
            "unsupported_failures": len(self.unsupported_failures()),
            "unsupported_words": [
                {"id": o.judgement.id, "words": list(o.unsupported), "lead": o.lead}
                for o in self.unsupported_failures()
            ],
        }


def is_answer_file(path: Path) -> bool:
    """True when the file's first question line has a ``kind``: an answer file, not a retrieval one."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                return "kind" in json.loads(line)
            except ValueError:
                return False
    return False


def _strings(row: dict[str, Any], key: str) -> tuple[str, ...]:
    value = row.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"{key} must be a list of strings")
    return tuple(value)


def _answer_judgement(n: int, row: dict[str, Any]) -> AnswerJudgement:
    history = tuple(Turn(Role(t["role"]), t["content"]) for t in row.get("history", ()))
    found = row.get("found")
    yes_no = row.get("yes_no")
    return AnswerJudgement(
        id=str(row.get("id", n)),
        q=row["q"],
        kind=AnswerKind(row["kind"]),
        history=history,
        lead_any=_strings(row, "lead_any"),
        must_all=_strings(row, "must_all"),
        must_any=_strings(row, "must_any"),
        found=found if isinstance(found, bool) else None,
        yes_no=None if yes_no is None else YesNo(yes_no),
    )


def read_answer_judgements(path: Path) -> list[AnswerJudgement]:
    return read_jsonl(path, _answer_judgement, "a judged answer question")


def _kind_holds(j: AnswerJudgement, answer: Answer) -> bool:
    text = answer.text
    if j.kind is AnswerKind.CLARIFY:
        labels = " ".join(c.label for c in answer.choices)
        return len(answer.choices) >= 2 and all(s in labels for s in j.must_all)
    if answer.choices:
        return False  # asking back a question whose answer is known is no answer
    if j.kind is AnswerKind.FACT:
        return bool(j.lead_any)  # a fact line is judged by its lead_any alone
    if j.kind is AnswerKind.ABSENT:
        return answer.states_absence
    if j.kind is AnswerKind.OOS:
        return not answer.citations
    if j.found is not None and answer.found is not j.found:
        return False
    return all(s in text for s in j.must_all) and (not j.must_any or any(s in text for s in j.must_any))


def _yes_no_holds(expected: YesNo, answer: Answer) -> bool:
    lead = answer.lead.lstrip()
    if expected is YesNo.YES:
        return lead.startswith(_YES)
    if expected is YesNo.NEITHER:
        return not lead.startswith((_YES, _NO))
    return lead.startswith(_NO) or answer.states_absence


def _yes_on_nothing_done(answer: Answer) -> bool:
    """「はい。」 whose first citation reports nothing done, when the question does not ask about that: the lead
    contradicts itself (「はい。…コロナウイルス感染症の影響で中止」)."""
    numbers = cited_numbers(answer.lead, len(answer.citations))
    if not answer.lead.lstrip().startswith(_YES) or not numbers or asks_about_nothing_done(answer.question):
        return False
    return says_nothing_done(answer.citations[numbers[0] - 1].text)


def verdict(j: AnswerJudgement, answer: Answer, wording: Wording | None = None) -> Verdict:
    """Every check the answer fails, as documented at the top of this module. Without ``wording`` the phrase
    check and the unsupported words are not computed."""
    failed = []
    if not _kind_holds(j, answer):
        failed.append(Check.KIND)
    if j.lead_any and not any(s in first_sentence(answer.lead) for s in j.lead_any):
        failed.append(Check.LEAD_ANY)
    if j.yes_no is not None and not _yes_no_holds(j.yes_no, answer):
        failed.append(Check.YES_NO)
    if _yes_on_nothing_done(answer):
        failed.append(Check.YES_ON_NOTHING)
    if wording is None:
        return Verdict(tuple(failed))
    # An answer that asks back opens with its question (「どの防犯カメラについて…ですか。」), a subject by design.
    lead = answer.lead.split("。", 1)[1] if answer.choices else answer.lead
    phrases = tuple(phrase_problems(lead, wording.texts, wording.morphemes))
    if phrases:
        failed.append(Check.PHRASE)
    unsupported = tuple(unsupported_words(answer, wording.morphemes, wording.templates))
    return Verdict(tuple(failed), phrases, unsupported)


def judge(j: AnswerJudgement, answer: Answer) -> bool:
    """The checks that need no report text (kind, lead_any, yes_no), as documented at the top of this module."""
    return verdict(j, answer).passed


def evaluate_answers(
    ask: Callable[[str, tuple[Turn, ...]], Answer],
    judgements: list[AnswerJudgement],
    file: str = "",
    *,
    wording: Wording | None = None,
) -> AnswerReport:
    report = AnswerReport(file)
    for j in judgements:
        answer = ask(j.q, j.history)
        v = verdict(j, answer, wording)
        report.outcomes.append(
            AnswerOutcome(j, v.passed, answer.lead, answer.coverage, v.failed, v.phrases, v.unsupported)
        )
    return report


def format_answer_report(report: AnswerReport) -> str:
    lines = [f"{report.file}: {len(report.outcomes)} questions, pass rate {report.pass_rate():.3f}", ""]
    lines.append("kind       n  pass   phrase  unsupported")
    for k in report.kinds():
        n, phrase, unsupported = len(report.of_kind(k)), report.phrase_failures(k), report.unsupported_failures(k)
        lines.append(f"{k.value:<9} {n:>2}  {report.pass_rate(k):.3f}  {len(phrase):>6}  {len(unsupported):>11}")
    refused, accepted = report.false_refusals(), report.false_acceptances()
    lines.append(f"\nscope: false refusals {len(refused)}, false acceptances {len(accepted)}")
    lines.extend(f"  refused {o.judgement.id} {o.judgement.q} ({o.coverage.value})" for o in refused)
    lines.extend(f"  accepted {o.judgement.id} {o.judgement.q}" for o in accepted)
    failures = [o for o in report.outcomes if not o.passed]
    lines.append(f"\nfailed ({len(failures)})")
    for o in failures:
        checks = ", ".join(c.value for c in o.failed)
        lines.append(f"  {o.judgement.id} [{o.judgement.kind.value}] {o.judgement.q}  ({checks})")
        lines.append(f"      coverage={o.coverage.value} lead: {o.lead}")
    phrased = report.phrase_failures()
    lines.append(f"\nphrase check: {len(phrased)} answers fail")
    for o in phrased:
        lines.append(f"  {o.judgement.id} lead: {o.lead}")
        lines.extend(f"      {p.role.value} 「{p.phrase}」: {p.rule.value}" for p in o.phrases)
    unsupported = report.unsupported_failures()
    lines.append(f"\nunsupported words (not in what the answer cites): {len(unsupported)} answers")
    for o in unsupported:
        lines.append(f"  {o.judgement.id} {'、'.join(o.unsupported)}  lead: {o.lead}")
    return "\n".join(lines)
