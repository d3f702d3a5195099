"""DOAnet feature extraction speed: batched torch (ours) against the original's per-channel librosa
approach (doanet.reference), in the same run, as multiples of real time.

    python3 benchmarks/bench_doanet_features.py              # 4 recordings of 60 s, FOA and MIC
    python3 benchmarks/bench_doanet_features.py --quick      # 1 recording of 10 s

Prints a JSON summary (and writes it with --out).
"""

from __future__ import annotations

import argparse

import numpy as np
import torch

from common.sysinfo import machine, report
from common.sysinfo import seconds as timed
from configs.doanet import get_params
from doanet.features import extract_features
from doanet.reference import features_librosa


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out")
    args = ap.parse_args()
    files, seconds = (1, 10.0) if args.quick else (4, 60.0)
    rng = np.random.default_rng(0)
    audio = (0.1 * rng.normal(size=(files, int(seconds * 24000), 4))).astype(np.float32)
    total_s = files * seconds
    summary = {"machine": machine(), "audio_s": total_s, "results": {}}
    for dataset in ("foa", "mic"):
        params = get_params("1", dataset=dataset, max_audio_len_s=seconds)
        ref = timed(lambda p=params: [features_librosa(a, p) for a in audio], 2, reduce='min')
        ours = timed(lambda p=params: extract_features(audio, p, "cpu"), 2, reduce="min")
        row = {"reference_librosa_x_realtime": round(total_s / ref, 1), "ours_cpu_x_realtime": round(total_s / ours, 1),
               "speedup_cpu": round(ref / ours, 1)}
        if torch.cuda.is_available():
            gpu = timed(lambda p=params: extract_features(audio, p, "cuda"), 2, "cuda", reduce="min")
            row["ours_gpu_x_realtime"] = round(total_s / gpu, 1)
        summary["results"][dataset] = row
        print(dataset, row, flush=True)
    report(summary, args.out)


if __name__ == "__main__":
    main()
