"""Answer quality on judged questions: does the answer a user reads answer the question? Pass rate per kind.

Answer file: JSON lines with ``q``, ``kind`` (fact | topic | absent | oos | followup | dept | compare),
optional ``history`` (earlier turns) and the checks of its kind:

- ``fact``: one of ``lead_any`` is in the lead (the figure, date or place asked for);
- ``topic`` / ``followup`` / ``dept`` / ``compare``: every ``must_all`` and one of ``must_any`` is in the
  answer text, and ``found`` (where given) equals the answer's;
- ``absent``: the reports never mention it, and the answer says so (coverage none or related, or the lead
  states it);
- ``oos``: not about the reports at all: no citations.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from assistant.answer import Answer, Coverage, Turn
from assistant.answer.question import Role
from assistant.retrieval.evaluate import read_jsonl


class AnswerKind(StrEnum):
    FACT = "fact"
    TOPIC = "topic"
    ABSENT = "absent"
    OOS = "oos"
    FOLLOWUP = "followup"
    DEPT = "dept"
    COMPARE = "compare"


# Kinds whose answer is in the reports; absent and oos are not.
ANSWERABLE = frozenset({AnswerKind.FACT, AnswerKind.TOPIC, AnswerKind.FOLLOWUP, AnswerKind.DEPT, AnswerKind.COMPARE})


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


@dataclass(frozen=True)
class AnswerOutcome:
    judgement: AnswerJudgement
    passed: bool
    lead: str
    coverage: Coverage


@dataclass
class AnswerReport:
    file: str
    outcomes: list[AnswerOutcome] = field(default_factory=list)

    def pass_rate(self, kind: AnswerKind | None = None) -> float:
        chosen = [o for o in self.outcomes if kind is None or o.judgement.kind is kind]
        return sum(o.passed for o in chosen) / max(len(chosen), 1)

    def false_refusals(self) -> list[AnswerOutcome]:
        """Questions the reports answer that were not answered directly."""
        return [o for o in self.outcomes if o.judgement.kind in ANSWERABLE and o.coverage is not Coverage.DIRECT]

    def false_acceptances(self) -> list[AnswerOutcome]:
        """Questions the reports do not answer that were answered as if they did."""
        return [o for o in self.outcomes if o.judgement.kind not in ANSWERABLE and o.coverage is Coverage.DIRECT]

    def kinds(self) -> list[AnswerKind]:
        return [k for k in AnswerKind if any(o.judgement.kind is k for o in self.outcomes)]

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "questions": len(self.outcomes),
            "pass_rate": round(self.pass_rate(), 4),
            "by_kind": {
                k.value: {
                    "n": sum(o.judgement.kind is k for o in self.outcomes),
                    "pass_rate": round(self.pass_rate(k), 4),
                }
                for k in self.kinds()
            },
            "false_refusals": [o.judgement.id for o in self.false_refusals()],
            "false_acceptances": [o.judgement.id for o in self.false_acceptances()],
            "failures": [
                {"id": o.judgement.id, "kind": o.judgement.kind.value, "q": o.judgement.q, "lead": o.lead}
                for o in self.outcomes
                if not o.passed
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
    return AnswerJudgement(
        id=str(row.get("id", n)),
        q=row["q"],
        kind=AnswerKind(row["kind"]),
        history=history,
        lead_any=_strings(row, "lead_any"),
        must_all=_strings(row, "must_all"),
        must_any=_strings(row, "must_any"),
        found=found if isinstance(found, bool) else None,
    )


def read_answer_judgements(path: Path) -> list[AnswerJudgement]:
    return read_jsonl(path, _answer_judgement, "a judged answer question")


def judge(j: AnswerJudgement, answer: Answer) -> bool:
    """The checks of the judgement's kind, as documented at the top of this module."""
    text = answer.text
    if j.kind is AnswerKind.FACT:
        return any(s in answer.lead for s in j.lead_any)
    if j.kind is AnswerKind.ABSENT:
        return answer.states_absence
    if j.kind is AnswerKind.OOS:
        return not answer.citations
    if j.found is not None and answer.found is not j.found:
        return False
    return all(s in text for s in j.must_all) and (not j.must_any or any(s in text for s in j.must_any))


def evaluate_answers(
    ask: Callable[[str, tuple[Turn, ...]], Answer], judgements: list[AnswerJudgement], file: str = ""
) -> AnswerReport:
    report = AnswerReport(file)
    for j in judgements:
        answer = ask(j.q, j.history)
        report.outcomes.append(AnswerOutcome(j, judge(j, answer), answer.lead, answer.coverage))
    return report


def format_answer_report(report: AnswerReport) -> str:
    lines = [f"{report.file}: {len(report.outcomes)} questions, pass rate {report.pass_rate():.3f}", ""]
    lines.append("kind       n  pass")
    for k in report.kinds():
        n = sum(o.judgement.kind is k for o in report.outcomes)
        lines.append(f"{k.value:<9} {n:>2}  {report.pass_rate(k):.3f}")
    refused, accepted = report.false_refusals(), report.false_acceptances()
    lines.append(f"\nscope: false refusals {len(refused)}, false acceptances {len(accepted)}")
    lines.extend(f"  refused {o.judgement.id} {o.judgement.q} ({o.coverage.value})" for o in refused)
    lines.extend(f"  accepted {o.judgement.id} {o.judgement.q}" for o in accepted)
    failures = [o for o in report.outcomes if not o.passed]
    lines.append(f"\nfailed ({len(failures)})")
    for o in failures:
        lines.append(f"  {o.judgement.id} [{o.judgement.kind.value}] {o.judgement.q}")
        lines.append(f"      coverage={o.coverage.value} lead: {o.lead}")
    return "\n".join(lines)
