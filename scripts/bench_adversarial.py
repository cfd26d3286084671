"""Adversarial questions: every function of answer/question.py and retrieval/query.py on 500-character strings
built to make a backtracking regex stall, timed against the same function on an ordinary question of the same
length. Also a section of scripts/bench.py (``--adversarial-only``); runs alone:

    .venv/bin/python scripts/bench_adversarial.py [--ratio R] [--repeats N] [--no-answer]

Unlike the rest of the benchmark this one asserts: it exits 1 when an adversarial string costs more than
``--ratio`` times the ordinary question in any function (a regex with nested or adjacent unbounded quantifiers
over the same characters costs the square of the run it meets, or worse). Not a timed unit test: the machine is
shared, so each figure is the best of ``--repeats`` runs, and the bound is a ratio, not a time.

The strings: the issue's 「は␣…␣。x」, white space runs of every kind (ASCII, ideographic, tabs, newlines), runs of
particles, of 年度, of era years and ranges left open, of 何 and 何台. Each is passed raw (as a history turn
reaches the parser) and, for the whole answer, through the API's cleaning (domain/normalize.clean_question).

The ordinary question is one plain question repeated to the same length: the baseline grows with the length as
any linear function's cost does, so the ratio tests the shape of the cost, not the length.
"""

from __future__ import annotations

import argparse
import inspect
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answer import question as qmod  # noqa: E402
from assistant.answer.question import Role, Turn  # noqa: E402
from assistant.domain.normalize import clean_question  # noqa: E402
from assistant.retrieval import query as query_mod  # noqa: E402
from assistant.retrieval.tokenize import SudachiTokenizer  # noqa: E402

LENGTH = 500  # the API's max_question_chars
# An adversarial string may cost this many times the ordinary question of the same length. Measured on the
# shared 2-core machine (best of 5): linear functions stay within 0.3–2.4x (a string of spaces or particles
# yields fewer morphemes than a real question); before issue 17, query.py's open year ranges
# (「R5␣…␣〜」, ``\s*(?:年度?)?\s*``) and its span-by-span overlap check (「令和5年度」×100) were at 5–7x, and
# the _FACT_TAIL at ~1000x (0.5 s).
RATIO = 3.0
YEARS = (2017, 2018, 2022, 2023, 2024)
DEPARTMENTS = ("地域安全課", "学務課", "指導室", "交通対策課")
ORDINARY = "令和5年度の三幸公園の防犯カメラは何台設置されましたか？"


def _fit(text: str) -> str:
    return (text * (LENGTH // max(1, len(text)) + 1))[:LENGTH]


def adversarial() -> dict[str, str]:
    """Named 500-character strings, each aimed at one kind of backtracking."""
    return {
        "kana_spaces_period": "は" + " " * (LENGTH - 3) + "。x",
        "spaces_mixed": "防犯" + _fit(" \u3000\t\n")[: LENGTH - 5] + "カメラ？",
        "spaces_only_end": " " * (LENGTH - 1) + "x",
        "particles": _fit("のは"),
        "particles_mixed": _fit("はがをにでと"),
        "nendo": _fit("年度"),
        "era_years": _fit("令和5年度"),
        "era_open_range": "令和5" + " " * (LENGTH - 4) + "〜",
        "abbr_open_range": "R5" + " " * (LENGTH - 3) + "〜",
        "western_open_range": "2023" + " " * (LENGTH - 5) + "-",
        "era_spaces_nendo": _fit("令和 5 年度 〜 "),
        "nani": _fit("何"),
        "nani_counter": _fit("何台"),
        "question_marks": "防犯" + _fit("？?")[: LENGTH - 2],
        "digits_commas": _fit("1,"),
        "brackets": _fit("（(【["),
    }


def best_of(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def calls(morphemes: Callable[[str], list]) -> dict[str, Callable[[str], object]]:  # type: ignore[type-arg]
    """One call per function of the two modules, each fed ``text`` where the function reads text."""
    history = lambda t: [Turn(Role.USER, t), Turn(Role.ASSISTANT, "回答"), Turn(Role.USER, t)]  # noqa: E731
    a = lambda t: qmod.read_text(t, DEPARTMENTS, morphemes)  # noqa: E731
    u = lambda t: query_mod.understand(t, YEARS, DEPARTMENTS)  # noqa: E731
    q = lambda t: qmod.parse_question(t, [], YEARS, DEPARTMENTS, morphemes)  # noqa: E731
    return {
        "question.normal": lambda t: qmod.normal(t),
        "question.strip_years_and_departments": lambda t: qmod.strip_years_and_departments(t, DEPARTMENTS),
        "question.read_text": a,
        "question.topic_words": lambda t: qmod.topic_words(a(t)),
        "question.absence_words": lambda t: qmod.absence_words(qmod.topic_words(a(t))),
        "question.quantity_of": lambda t: qmod.quantity_of(a(t)),
        "question.intent_of": lambda t: qmod.intent_of(a(t), u(t), qmod.quantity_of(a(t))),
        "question.is_followup": lambda t: qmod.is_followup(t, DEPARTMENTS, morphemes),
        "question.resolve": lambda t: qmod.resolve(t, history(t), DEPARTMENTS, morphemes),
        "question.parse_question": lambda t: qmod.parse_question(t, history(t), YEARS, DEPARTMENTS, morphemes),
        "question.with_corrected_words": lambda t: qmod.with_corrected_words(q(t), lambda w: False, ["防犯カメラ"]),
        "query.find_years": lambda t: query_mod.find_years(t, newest=2024),
        "query.find_departments": lambda t: query_mod.find_departments(t, DEPARTMENTS),
        "query.understand": u,
    }


def public_functions(module: ModuleType) -> set[str]:
    return {
        f"{module.__name__.rsplit('.', 1)[1]}.{name}"
        for name, fn in inspect.getmembers(module, inspect.isfunction)
        if fn.__module__ == module.__name__ and not name.startswith("_")
    }


def answer_call() -> tuple[Callable[[str], object], Callable[[], None]]:
    """The whole answer as /api/ask computes it (fake embedder, a throw-away index of data/), and its clean-up."""
    from assistant.answer import answer
    from assistant.config import Settings
    from assistant.service import open_assistant

    index_dir = Path(tempfile.mkdtemp(prefix="bench-adversarial-"))
    settings = Settings(index_dir=index_dir, embedder="fake")
    assistant = open_assistant(settings, build=True)

    def ask(t: str) -> object:
        cleaned = clean_question(t)
        return answer(assistant.context, cleaned, [Turn(Role.USER, cleaned)]) if cleaned else None

    return ask, lambda: shutil.rmtree(index_dir, ignore_errors=True)


def bench_adversarial(ratio: float = RATIO, repeats: int = 5, *, whole_answer: bool = True) -> bool:
    """Print one line per function and string over the bound (and the worst per function); True when all hold."""
    tokenizer = SudachiTokenizer()
    functions = calls(tokenizer.morphemes)
    missing = (public_functions(qmod) | public_functions(query_mod)) - set(functions)
    if missing:
        print(f"FAIL: functions not exercised (add them to calls()): {sorted(missing)}")
        return False
    cleanup: Callable[[], None] = lambda: None  # noqa: E731
    if whole_answer:
        functions["answer (API cleaning)"], cleanup = answer_call()
    ordinary = _fit(ORDINARY)
    strings = adversarial()
    ok = True
    print(f"adversarial questions: {len(strings)} strings of {LENGTH} characters, bound {ratio:g}x the ordinary one")
    try:
        for name, fn in functions.items():
            fn(ordinary)  # warm caches (regex compilation, Sudachi)
            base = best_of(lambda: fn(ordinary), repeats)  # noqa: B023
            worst_name, worst = "", 0.0
            for sname, text in strings.items():
                took = best_of(lambda: fn(text), repeats)  # noqa: B023
                if took / base > worst:
                    worst_name, worst = sname, took / base
                if took / base > ratio:
                    ok = False
                    print(f"  FAIL {name} on {sname}: {took * 1000:.2f} ms, {took / base:.1f}x")
            print(f"  {name:<42} ordinary {base * 1000:7.3f} ms, worst {worst:4.1f}x ({worst_name})")
    finally:
        cleanup()
    print("adversarial questions: " + ("all within the bound" if ok else "FAILED"))
    return ok


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ratio", type=float, default=RATIO, help="bound: adversarial / ordinary time")
    parser.add_argument("--repeats", type=int, default=5, help="best of N runs per figure")
    parser.add_argument("--no-answer", action="store_true", help="skip the whole answer (no index build)")
    args = parser.parse_args(argv)
    if not bench_adversarial(args.ratio, args.repeats, whole_answer=not args.no_answer):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
