#!/usr/bin/env bash
# End-to-end accuracy of the built-in model (or any Fashion-MNIST model
# directory): writes the 10 000 Fashion-MNIST test images as PNG files,
# classifies them with `vit classify --format csv -k 1`, and compares with
# PyTorch's predictions for the same weights computed from the same PNG files
# with the model's own preprocessing recipe.
#
# Usage: scripts/eval_builtin.sh [MODEL_DIR]
#   MODEL_DIR  default models/fashion-vit, classified as the built-in model
#              (no -m), so the binary's embedded copy is what is measured;
#              any other directory is passed with -m.
# Environment: VIT (a vit binary; default: build ./cmd/vit into the temporary
#              directory, as `make build` does), N (number of test images,
#              default 10000),
#              KEEP=1 keeps the temporary directory.
# Needs Debian's python3-torch and python3-pil (/usr/bin/python3) and the
# dataset-fashion-mnist package.
set -euo pipefail
cd "$(dirname "$0")/.."

MODEL_DIR=${1:-models/fashion-vit}
N=${N:-10000}
PY=/usr/bin/python3

tmp=$(mktemp -d)
if [[ "${KEEP:-0}" == 1 ]]; then
	echo "keeping $tmp" >&2
else
	trap 'rm -rf "$tmp"' EXIT
fi
if [[ -z "${VIT:-}" ]]; then
	VIT=$tmp/vit
	CGO_ENABLED=0 go build -trimpath -o "$VIT" ./cmd/vit
fi

# 1. Test images as PNG (gray, 28×28) + labels; PyTorch predictions from the PNGs.
OMP_WAIT_POLICY=PASSIVE "$PY" - "$tmp" "$MODEL_DIR" "$N" <<'EOF'
import json, os, sys
import numpy as np
import torch
from PIL import Image
sys.path.insert(0, "scripts")
import train_builtin as tb

tmp, model_dir, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
torch.set_num_threads(2)
x, y = tb.load_split("test")
os.makedirs(os.path.join(tmp, "png"))
with open(os.path.join(tmp, "labels.csv"), "w") as f:
    for i in range(n):
        p = os.path.join(tmp, "png", f"{i:05d}.png")
        Image.fromarray(x[i, 0].numpy(), mode="L").save(p)
        f.write(f"{p},{int(y[i])}\n")

# The model's recipe, as vit reads it from preprocessor_config.json.
with open(os.path.join(model_dir, "preprocessor_config.json")) as f:
    pc = json.load(f)
with open(os.path.join(model_dir, "config.json")) as f:
    cfg = json.load(f)
assert cfg["num_channels"] == 1, "this script handles one-channel models"
H, W = pc["size"]["height"], pc["size"]["width"]
mean, std = pc["image_mean"][0], pc["image_std"][0]
batch = []
for i in range(n):
    im = Image.open(os.path.join(tmp, "png", f"{i:05d}.png")).convert("L")
    if pc.get("do_resize", True):
        im = im.resize((W, H), resample=pc.get("resample", 2))
    a = np.asarray(im, dtype=np.float32)
    if pc.get("do_rescale", True):
        a = a * np.float32(pc.get("rescale_factor", 1 / 255))
    if pc.get("do_normalize", True):
        a = (a - np.float32(mean)) / np.float32(std)
    batch.append(a)
xs = torch.from_numpy(np.stack(batch)).unsqueeze(1)  # [N,1,H,W]
m = tb.load_hf(model_dir)
with torch.no_grad():
    logits = torch.cat([m(xs[i:i + 500]) for i in range(0, n, 500)])  # [N,L]
top = logits.argmax(1)
with open(os.path.join(tmp, "torch.csv"), "w") as f:
    for i in range(n):
        f.write(f"{i},{int(top[i])},{float(logits[i, top[i]]):.6g}\n")
EOF

# 2. vit, end to end.
args=(classify --format csv -k 1 --scores logit)
if [[ "$MODEL_DIR" != models/fashion-vit ]]; then
	args+=(-m "$MODEL_DIR")
fi
start=$(date +%s.%N)
"$VIT" "${args[@]}" "$tmp/png" > "$tmp/vit.csv"
end=$(date +%s.%N)

# 3. Compare.
"$PY" - "$tmp" "$N" "$start" "$end" <<'EOF'
import csv, os, sys
tmp, n, t0, t1 = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
labels = {}
for line in open(os.path.join(tmp, "labels.csv")):
    p, l = line.rstrip("\n").rsplit(",", 1)
    labels[os.path.basename(p)] = int(l)
torch_pred, torch_logit = {}, {}
for line in open(os.path.join(tmp, "torch.csv")):
    i, c, s = line.split(",")
    torch_pred[f"{int(i):05d}.png"] = int(c)
    torch_logit[f"{int(i):05d}.png"] = float(s)
vit_pred, vit_logit, errors = {}, {}, 0
for r in csv.DictReader(open(os.path.join(tmp, "vit.csv"))):
    k = os.path.basename(r["path"])
    if r.get("error"):
        errors += 1
        continue
    vit_pred[k] = int(r["index"])
    vit_logit[k] = float(r["score"])
missing = n - len(vit_pred)
vit_ok = sum(vit_pred.get(k) == l for k, l in labels.items())
torch_ok = sum(torch_pred[k] == l for k, l in labels.items())
agree = sum(vit_pred.get(k) == torch_pred[k] for k in labels)
dl = max((abs(vit_logit[k] - torch_logit[k]) for k in vit_pred
          if vit_pred[k] == torch_pred[k]), default=float("nan"))
print(f"images            {n} ({errors} errors, {missing} without a prediction)")
print(f"vit top-1         {vit_ok / n:.4f} ({vit_ok}/{n})")
print(f"pytorch top-1     {torch_ok / n:.4f} ({torch_ok}/{n})")
print(f"agreement         {agree / n:.4f} ({agree}/{n} identical predicted classes)")
print(f"max |dlogit| top1 {dl:.3g}")
print(f"vit wall time     {t1 - t0:.2f} s ({(t1 - t0) / n * 1e3:.3f} ms/image)")
EOF
