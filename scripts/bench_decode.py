#!/usr/bin/python3
"""Time vit's JPEG path side by side with PIL's on one core.

    /usr/bin/python3 scripts/bench_decode.py [--rounds 7] [--draft] [file.jpg ...]

Without files it writes a 12-megapixel (4000×3000) 4:2:0 photo-like JPEG
(quality 90, made with PIL) and a copy with restart markers every MCU row
(jpegtran -restart 1, when libjpeg-turbo-progs is installed) to
$TMPDIR/vit-bench/. For each file and round it times, interleaved:

  * PIL 9.4: Image.open, convert("RGB"), resize((224, 224), BILINEAR), the
    HF ViT recipe, best of 3 within the round;
  * vit: BenchmarkFile in internal/preprocess (decode, convert, resize to
    224×224 and normalize, GOMAXPROCS=1), built once with go test -c,
    best of 3 runs of 2 iterations within the round;
  * with --draft, also vit's draft path (Limits.Draft) and PIL's
    Image.draft("RGB", (224, 224)) before convert.

It prints per-round times and the medians and ratios (vit / PIL). The
machine may be shared: only ratios measured in the same round mean much.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
from PIL import Image

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def photo(w, h, seed=1):
    """A photo-like picture: smooth fields at several scales, hard edges
    and sensor noise, so the entropy-coded data is about as dense as a
    phone photo's (≈ 3–4 MB at quality 90)."""
    r = np.random.RandomState(seed)
    img = np.zeros((h, w, 3), np.float32)
    for scale, amp in ((500, 90), (120, 40), (30, 25), (8, 12)):
        gh, gw = h // scale + 2, w // scale + 2
        field = r.uniform(-amp, amp, (gh, gw, 3)).astype(np.float32)
        small = Image.fromarray(np.uint8(np.clip(field + 128, 0, 255)))
        big = np.asarray(small.resize((w, h), Image.BICUBIC), np.float32) - 128
        img += big
    img += 128
    y, x = np.mgrid[0:h, 0:w]
    img[((x // 211 + y // 157) % 5) == 0] *= 0.6
    img += r.normal(0, 4, img.shape).astype(np.float32)
    return Image.fromarray(np.uint8(np.clip(img, 0, 255)))


def make_files(d):
    os.makedirs(d, exist_ok=True)
    plain = os.path.join(d, "photo_4000x3000.jpg")
    if not os.path.exists(plain):
        photo(4000, 3000).save(plain, "JPEG", quality=90, subsampling=2)
    files = [plain]
    rst = os.path.join(d, "photo_4000x3000_rst.jpg")
    if not os.path.exists(rst):
        try:
            subprocess.run(["jpegtran", "-restart", "1", "-outfile", rst, plain], check=True)
        except (OSError, subprocess.CalledProcessError):
            rst = None
    if rst:
        files.append(rst)
    return files


def pil_time(path, draft, reps=3):
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        im = Image.open(path)
        if draft:
            im.draft("RGB", (224, 224))
        im = im.convert("RGB").resize((224, 224), Image.BILINEAR)
        best = min(best, time.perf_counter() - t)
    return best


def vit_time(binary, path, draft):
    env = dict(os.environ, GOMAXPROCS="1", VIT_BENCH_JPEG=path, VIT_BENCH_DRAFT="1" if draft else "0")
    out = subprocess.run([binary, "-test.run", "^$", "-test.bench", "^BenchmarkFile$",
                          "-test.benchtime", "2x", "-test.count", "3"],
                         env=env, check=True, capture_output=True, text=True).stdout
    times = []
    for line in out.splitlines():
        if line.startswith("BenchmarkFile"):
            f = line.split()
            times.append(float(f[f.index("ns/op") - 1]) / 1e9)
    if not times:
        sys.exit("no BenchmarkFile line in:\n" + out)
    return min(times)  # best of 3, as for PIL


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--draft", action="store_true")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    files = a.files or make_files(os.path.join(tempfile.gettempdir(), "vit-bench"))
    binary = os.path.join(tempfile.gettempdir(), "vit-preprocess.test")
    subprocess.run(["go", "test", "-c", "-o", binary, "./internal/preprocess"], cwd=ROOT, check=True)
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, PIL and vit alike
    modes = [False, True] if a.draft else [False]
    for path in files:
        times = {}
        for r in range(a.rounds):
            for draft in modes:
                for who, f in (("pil", lambda: pil_time(path, draft)), ("vit", lambda: vit_time(binary, path, draft))):
                    times.setdefault((who, draft), []).append(f())
            print(f"round {r}: " + "  ".join(f"{w}{'-draft' if d else ''} {v[-1] * 1e3:.0f} ms" for (w, d), v in times.items()), flush=True)
        med = {k: statistics.median(v) for k, v in times.items()}
        print(f"{os.path.basename(path)} ({os.path.getsize(path) / 1e6:.1f} MB), medians of {a.rounds} interleaved rounds, one core:")
        for (who, draft), v in med.items():
            print(f"  {who}{' draft' if draft else ''}: {v * 1e3:.0f} ms")
        print(f"  exact: vit/PIL = {med[('vit', False)] / med[('pil', False)]:.2f}")
        if a.draft:
            print(f"  draft: vit/PIL = {med[('vit', True)] / med[('pil', True)]:.2f}, "
                  f"vit exact/draft = {med[('vit', False)] / med[('vit', True)]:.1f}x")


if __name__ == "__main__":
    main()
