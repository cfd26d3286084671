"""When should FAISS flat give way to an approximate index? Flat vs HNSW vs IVF on synthetic embeddings.

    .venv/bin/python scripts/bench_ann.py [--sizes 25000 50000 ...] [--hnsw-max 400000] [--queries 200] [--json]

The vectors are shaped like the index's: 384 dimensions (multilingual-e5-small), unit length, in clusters of
~260 near-duplicates (the synthetic run of scripts/bench.py makes 100,000 bullets from the 383 seed ones the
same way), cosine to the cluster centre ~0.9; queries are new noisy points near random centres. Searches are
one query at a time on one FAISS thread (as the server runs them: service._one_faiss_thread), k = 100 (the
candidates one retriever hands to the fusion, tuning.CANDIDATES). Recall@10: the share of the exact top 10
(flat) that the approximate index also returns in its top 10. Figures only: nothing here is asserted.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from dataclasses import asdict, dataclass

import faiss
import numpy as np

DIM = 384
K = 100
PER_CLUSTER = 260
NOISE = 0.022  # per coordinate: cosine to the centre ≈ 1 / sqrt(1 + 384 * 0.022²) ≈ 0.91


@dataclass
class Row:
    n: int
    kind: str
    build_s: float
    p50_ms: float
    p95_ms: float
    recall_at_10: float
    bytes_per_vector: float


def clustered(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    centres = rng.standard_normal((max(1, n // PER_CLUSTER), DIM)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    x = centres[rng.integers(0, len(centres), n)] + NOISE * rng.standard_normal((n, DIM)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x, centres


def queries(centres: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    q = centres[rng.integers(0, len(centres), count)] + NOISE * rng.standard_normal((count, DIM)).astype(np.float32)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    return q


def timed_search(index: faiss.Index, q: np.ndarray) -> tuple[list[float], np.ndarray]:
    times, ids = [], []
    for row in q:
        started = time.perf_counter()
        _, found = index.search(row[None, :], K)
        times.append(1000 * (time.perf_counter() - started))
        ids.append(found[0])
    return times, np.array(ids)


def recall(exact: np.ndarray, approx: np.ndarray) -> float:
    return float(np.mean([len(set(e[:10]) & set(a[:10])) / 10 for e, a in zip(exact, approx, strict=True)]))


def measure(index: faiss.Index, kind: str, x: np.ndarray, q: np.ndarray, exact: np.ndarray | None) -> Row:
    started = time.perf_counter()
    if not index.is_trained:
        index.train(x[: min(len(x), 100_000)])
    index.add(x)
    build = time.perf_counter() - started
    times, ids = timed_search(index, q)
    size = faiss.serialize_index(index).nbytes / len(x)
    rec = recall(exact, ids) if exact is not None else 1.0
    p95 = statistics.quantiles(times, n=20)[-1]
    return Row(len(x), kind, build, statistics.median(times), p95, rec, size)


def run(n: int, hnsw_max: int, count: int, rng: np.random.Generator) -> list[Row]:
    x, centres = clustered(n, rng)
    q = queries(centres, count, rng)
    flat = faiss.IndexFlatIP(DIM)
    rows = [measure(flat, "flat", x, q, None)]
    _, exact = timed_search(flat, q)
    del flat
    if n <= hnsw_max:
        hnsw = faiss.IndexHNSWFlat(DIM, 32, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = 80
        hnsw.hnsw.efSearch = 128  # ≥ K: every one of the 100 candidates comes from the graph search
        rows.append(measure(hnsw, "hnsw32 ef128", x, q, exact))
        del hnsw
    nlist = int(4 * math.sqrt(n))
    ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(DIM), DIM, nlist, faiss.METRIC_INNER_PRODUCT)
    ivf.nprobe = 16
    rows.append(measure(ivf, f"ivf{nlist} nprobe16", x, q, exact))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[25_000, 50_000, 100_000, 200_000, 400_000, 1_000_000])
    parser.add_argument("--hnsw-max", type=int, default=400_000, help="largest size HNSW is built for (slow)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    faiss.omp_set_num_threads(1)
    rng = np.random.default_rng(19)
    rows: list[Row] = []
    for n in args.sizes:
        rows.extend(run(n, args.hnsw_max, args.queries, rng))
        if not args.json:
            for r in rows[-3:]:
                if r.n == n:
                    print(
                        f"{r.n:>9,} {r.kind:<20} build {r.build_s:7.1f} s  p50 {r.p50_ms:7.2f} ms  "
                        f"p95 {r.p95_ms:7.2f} ms  recall@10 {r.recall_at_10:.3f}  {r.bytes_per_vector:6.0f} B/vector",
                        flush=True,
                    )
    if args.json:
        print(json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
