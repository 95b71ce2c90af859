#!/usr/bin/python3
"""Measure what --draft (scaled JPEG decoding) does to vit's probabilities.

    /usr/bin/python3 scripts/draft_effect.py

It runs `vit classify -f jsonl` with the built-in model (fashion-vit,
28×28 gray) with and without --draft over:

  * the project's JPEG fixtures (testdata/preprocess/*.jpg, the decoder
    cases in testdata/preprocess/decode/*.jpg) and the model card's
    photos (models/fashion-vit/examples/*.jpg); those in a layout vit
    scales (gray, 4:4:4, 4:2:0) and at least twice the model's input in
    both directions decode scaled;
  * the same images enlarged 8× with PIL (bicubic, saved as 4:2:0 JPEG,
    quality 90) to $TMPDIR/vit-draft/, so that 1/8 is used.

For each set it prints how many files decoded scaled, how often the top
class stayed the same, and the largest and mean absolute change of any
class probability (all 10 classes compared).
"""

import glob
import json
import os
import subprocess
import sys
import tempfile

from PIL import Image

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
INPUT = 28  # fashion-vit's input size


def classify(binary, files, extra):
    out = subprocess.run([binary, "classify", "-f", "jsonl", "-k", "10", "--progress", "never"] + extra + files,
                         capture_output=True, text=True).stdout
    res = {}
    for line in out.splitlines():
        r = json.loads(line)
        if "predictions" in r:
            res[r["path"]] = {p["index"]: p["score"] for p in r["predictions"]}
    return res


def report(name, binary, files):
    exact = classify(binary, files, [])
    draft = classify(binary, files, ["--draft"])
    scaled = []
    for f in files:
        im = Image.open(f)
        w, h = im.size
        # vit scales gray, 4:4:4 and 4:2:0 files (draft.go), when at least
        # twice the input in both directions.
        hv = [(h, v) for _, h, v, _ in im.layer]
        layout_ok = len(hv) == 1 or (len(hv) == 3 and hv[1] == hv[2] == (1, 1) and hv[0] in ((1, 1), (2, 2)))
        if layout_ok and min(w // INPUT, h // INPUT) >= 2:
            scaled.append(f)
    diffs, same = [], 0
    for f in scaled:
        a, b = exact[f], draft[f]
        diffs.append(max(abs(a[k] - b[k]) for k in a))
        same += max(a, key=a.get) == max(b, key=b.get)
    print("%s: %d files, %d decoded scaled" % (name, len(files), len(scaled)))
    if scaled:
        print("  top-1 unchanged: %d of %d" % (same, len(scaled)))
        print("  |Δp| per file, largest class change: max %.4f, mean %.4f, median %.4f"
              % (max(diffs), sum(diffs) / len(diffs), sorted(diffs)[len(diffs) // 2]))


def main():
    d = os.path.join(tempfile.gettempdir(), "vit-draft")
    os.makedirs(d, exist_ok=True)
    binary = os.path.join(d, "vit")
    subprocess.run(["go", "build", "-o", binary, "./cmd/vit"], cwd=ROOT, check=True)
    files = sorted(glob.glob(os.path.join(ROOT, "testdata/preprocess/*.jpg")) +
                   glob.glob(os.path.join(ROOT, "testdata/preprocess/decode/*.jpg")) +
                   glob.glob(os.path.join(ROOT, "models/fashion-vit/examples/*.jpg")))
    readable = []
    for f in files:
        try:
            Image.open(f).load()
            readable.append(f)
        except Exception:
            pass  # the fixtures of unsupported variants
    report("fixtures as they are", binary, readable)
    big = []
    for f in readable:
        im = Image.open(f).convert("RGB")
        out = os.path.join(d, os.path.basename(f))
        im.resize((im.width * 8, im.height * 8), Image.BICUBIC).save(out, "JPEG", quality=90, subsampling=2)
        big.append(out)
    report("fixtures enlarged 8x", binary, big)


if __name__ == "__main__":
    sys.exit(main())
