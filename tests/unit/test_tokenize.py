"""Tokenizer and synonym tests. They load the real SudachiDict-core (about 0.1 s)."""

from __future__ import annotations

import pickle
import subprocess
import sys
import threading
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import assistant.retrieval.tokenize as tokmod
from assistant.retrieval.tokenize import (
    DEFAULT_STOP_POS,
    SudachiTokenizer,
    SynonymTable,
    expand_query,
    load_synonyms,
)

ROOT = Path(__file__).resolve().parents[2]
SYNONYMS = ROOT / "data" / "synonyms.tsv"


@pytest.fixture(scope="module")
def tok() -> SudachiTokenizer:
    return SudachiTokenizer()


@pytest.fixture(scope="module")
def table() -> SynonymTable:
    return load_synonyms(SYNONYMS)


# ---------------------------------------------------------------- normalisation


def test_full_width_digits_and_latin_become_half_width(tok: SudachiTokenizer) -> None:
    assert tok("パトロール回数　２０３回") == tok("パトロール回数 203回")
    assert "203" in tok("２０３回")
    assert "coco" in tok("ＣｏＣｏパトロール隊")  # NFKC, then lower-cased
    # Sudachi's own input normaliser covers most of the above; NFKC is what makes Ⅲ equal III.
    assert tok("Ⅲ期") == tok("III期")


def test_sudachi_normalised_form_unifies_spelling_variants(tok: SudachiTokenizer) -> None:
    assert tok("街路燈の整備") == tok("街路灯の整備")
    assert "街路灯" in tok("街路燈の整備")
    assert tok("引越し") == tok("引っ越し") == tok("引越")
    assert tok("空家") == tok("空き家")
    assert "子供" in tok("子どもの安全")


# ---------------------------------------------------------------- POS filter


def test_particles_auxiliaries_and_punctuation_are_dropped(tok: SudachiTokenizer) -> None:
    tokens = tok("通学路に防犯カメラを設置しました。")
    assert {"通学路", "防犯", "カメラ", "設置"} <= set(tokens)
    assert not {"に", "を", "た", "ます", "。", "為る", "する"} & set(tokens)


def test_light_verbs_dropped_but_content_verbs_kept(tok: SudachiTokenizer) -> None:
    tokens = tok("地域パトロールを継続して行います")
    assert "行う" not in tokens and "為る" not in tokens
    assert not {"こと", "為", "成る"} & set(tok("被害者となることを防止するため"))
    assert "見守る" in tok("子どもたちを見守る運動")
    assert "守る" in tok("子どもたちを見守る運動")  # the verb's mode-A parts too


def test_stop_pos_is_a_constructor_argument() -> None:
    keep_particles = SudachiTokenizer(stop_pos=DEFAULT_STOP_POS - {("助詞",)})
    assert "を" in keep_particles("防犯カメラを設置")
    assert "を" not in SudachiTokenizer()("防犯カメラを設置")


# ---------------------------------------------------------------- units


def test_search_mode_emits_compound_and_its_sub_units(tok: SudachiTokenizer) -> None:
    assert {"オレオレ詐欺", "詐欺"} <= set(tok("オレオレ詐欺"))
    assert {"暴力団", "暴力"} <= set(tok("暴力団排除"))
    # SudachiDict-core has no 防犯カメラ entry: the query's units are still all in the document.
    assert set(tok("防犯カメラ")) <= set(tok("通学路防犯カメラの設置"))


def test_mode_c_keeps_compounds_whole() -> None:
    assert SudachiTokenizer("C", compounds=False)("暴力団") == ["暴力団"]
    with pytest.raises(ValueError):
        SudachiTokenizer("D")  # type: ignore[arg-type]


def test_numbers_are_kept_with_their_counters(tok: SudachiTokenizer) -> None:
    assert {"203", "回", "203回"} <= set(tok("パトロール回数 203回"))
    assert {"9432", "9432km"} <= set(tok("距離 9,432km"))
    assert "1034件" in tok("カンガルーポケット登録件数 1,034件")
    assert "何台" not in tok("何台ありますか")  # a question word, not a figure


def test_suffix_joins_its_noun(tok: SudachiTokenizer) -> None:
    assert "自転車盗" in tok("自転車盗の防止")
    assert "等" not in tok("事業所等の増加") and "事業所等" not in tok("事業所等の増加")


def test_blank_text_gives_no_tokens(tok: SudachiTokenizer) -> None:
    assert tok("") == [] and tok(" \u3000\n") == []


@pytest.mark.fuzz
@settings(max_examples=60, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("防犯カメラ街路燈２０３回のをはにＡｂ 　、。・()ーっ子ども見守る"), max_size=40)
)
def test_tokens_are_clean_and_nfkc_invariant(text: str) -> None:
    tok = SudachiTokenizer()
    tokens = tok(text)
    assert all(t and t == t.strip() and t == t.lower() for t in tokens)
    assert tokens == tok(unicodedata.normalize("NFKC", text))


# ---------------------------------------------------------------- synonyms


def test_expansion_adds_official_terms_that_the_index_contains(tok: SudachiTokenizer, table: SynonymTable) -> None:
    expanded = expand_query("お年寄りの見守り", table)
    assert "高齢者" in tok(expanded)
    expanded = expand_query("オレオレ詐欺の被害を防ぐには", table)
    assert "振り込め詐欺" in expanded
    assert set(tok("振り込め詐欺")) <= set(tok(expanded))


def test_expansion_keeps_the_question_first_and_adds_nothing_twice(table: SynonymTable) -> None:
    expanded = expand_query("青パトとCoCoパトロール", table)
    assert expanded.startswith("青パトとCoCoパトロール ")
    added = expanded.split(" ")[1:]
    assert len(added) == len(set(added)) and "青パト" not in added and "CoCoパトロール" not in added


def test_expansion_normalises_and_leaves_unrelated_questions_alone(table: SynonymTable) -> None:
    assert expand_query("令和５年度の取組み", table) == "令和5年度の取組み"
    assert "SNS" in expand_query("Ｘで発信", table)
    assert expand_query("Excelの使い方", table) == "Excelの使い方"  # X only as a whole word
    assert "配偶者暴力" in expand_query("デートDVの相談", table)


def test_required_groups_are_in_the_table(table: SynonymTable) -> None:
    required = [
        ("青パト", "青色防犯パトロール", "CoCoパトロール", "青色回転灯"),
        ("街灯", "街路灯"),
        ("オレオレ詐欺", "振り込め詐欺", "振り込み詐欺", "特殊詐欺", "詐欺"),
        ("お年寄り", "高齢者", "シニア"),
        ("子供", "子ども", "児童"),
        ("見守りの家", "カンガルーのポケット", "子どもを見守る家"),
        ("ツイッター", "X", "SNS"),
        ("防犯メール", "安全・安心メール"),
        ("空き家", "空家"),
        ("DV", "配偶者暴力", "女性に対する暴力"),
        ("自転車盗", "自転車盗難", "放置自転車"),
        ("防犯カメラ", "監視カメラ"),
        ("ヤクザ", "暴力団"),
        ("不審者", "変質者"),
        ("こきんちゃん", "あいさつ運動"),
    ]
    for terms in required:
        assert any(set(terms) <= set(group) for group in table.groups), terms
    assert 20 <= len(table.groups) <= 40  # short enough to review


def test_comments_and_blank_lines_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "syn.tsv"
    path.write_text("# header\n\n  # indented comment\n街灯\t街路灯\t# trailing comment\nＤＶ\t配偶者暴力\n", "utf-8")
    assert load_synonyms(path).groups == (("街灯", "街路灯"), ("DV", "配偶者暴力"))


def test_a_group_of_one_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "syn.tsv"
    path.write_text("街灯 街路灯\n", "utf-8")  # spaces, not a tab
    with pytest.raises(ValueError, match=":1:"):
        load_synonyms(path)


# ---------------------------------------------------------------- loading and threads


def test_dictionary_is_not_built_at_import_and_is_built_once() -> None:
    # A fresh interpreter, so the import itself is observed; Dictionary is a Rust type and cannot be
    # subclassed, hence the counting factory.
    code = """
import threading, sudachipy
built = []
real = sudachipy.Dictionary
def counting(*a, **k):
    built.append(1)
    return real(*a, **k)
sudachipy.Dictionary = counting
import assistant.retrieval.tokenize as t
tok = t.SudachiTokenizer()
assert built == [], "built at import or construction"
tok("防犯")
assert built == [1], built
threads = [threading.Thread(target=tok, args=("カメラ",)) for _ in range(4)]
[x.start() for x in threads]
[x.join() for x in threads]
assert built == [1], "each thread built its own Dictionary"
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_dictionary_loads_on_first_call_only() -> None:
    tok = SudachiTokenizer()
    assert tok._dictionary is None and getattr(tok._local, "tokenizer", None) is None
    assert not any(isinstance(v, tokmod.Dictionary) for v in vars(tokmod).values())
    tok("防犯")
    first = tok._dictionary
    assert first is not None
    tok("カメラ")
    assert tok._dictionary is first


TEXTS = [
    "青色回転灯を装備した庁用車14台から成るCoCoパトロール隊で、地域パトロールを継続して行います。",
    "高齢者や障がいのある人が振り込め詐欺や悪質商法等の犯罪の被害者となることを未然に防止する",
    "令和５年度のパトロール回数は２０３回、距離は2,416kmでした",
    "子どもを見守る家(カンガルーのポケット)の登録件数",
]


def test_one_instance_is_safe_across_threads() -> None:
    tok = SudachiTokenizer()
    expected = [tok(t) for t in TEXTS]
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []
    mismatches: list[int] = []
    sudachi_objects: list[object] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        try:
            barrier.wait()
            for i in range(200):
                k = (i + n) % len(TEXTS)
                if tok(TEXTS[k]) != expected[k]:
                    mismatches.append(k)
            with lock:
                sudachi_objects.append(tok._sudachi())
        except BaseException as e:  # any failure in a worker fails the test
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and mismatches == []
    assert len({id(o) for o in sudachi_objects}) == 8  # one Sudachi tokenizer per thread ...
    assert tok._dictionary is not None  # ... all made from the one shared Dictionary


def test_control_a_shared_sudachi_tokenizer_is_not_thread_safe() -> None:
    # Shows why SudachiTokenizer keeps one tokenizer per thread (and that the test above has teeth).
    raw = SudachiTokenizer()._sudachi()
    text = TEXTS[0] * 20
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(200):
                raw.tokenize(text)
        except Exception as e:
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if not errors:
        pytest.skip("no concurrent use was observed on this run")
    assert "use" in str(errors[0]) or "borrow" in str(errors[0])


def test_pickled_copy_reloads_lazily(tok: SudachiTokenizer) -> None:
    copy = pickle.loads(pickle.dumps(tok))
    assert copy._dictionary is None
    assert copy("街路燈") == tok("街路燈")


def test_one_letter_terms_match_only_as_written() -> None:
    table = load_synonyms(Path(__file__).resolve().parents[2] / "data" / "synonyms.tsv")
    assert "ツイッター" in expand_query("Xで犯罪情報を発信していますか", table)
    # The x of an HTML attribute is not the service X: markup must not pull the question into scope.
    assert expand_query("<img src=x onerror=alert(1)>", table) == "<img src=x onerror=alert(1)>"


def test_synonyms_match_with_or_without_nakaguro() -> None:
    from assistant.retrieval.tokenize import SynonymTable, expand_query

    table = SynonymTable((("DV", "ドメスティック・バイオレンス"),))
    assert "DV" in expand_query("ドメスティックバイオレンスの相談", table)
