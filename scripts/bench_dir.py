#!/usr/bin/python3
"""Time `vit classify` over a directory of 24 12-megapixel JPEGs with a
ViT-B/16 checkpoint against a PIL + PyTorch script doing the same job.

    /usr/bin/python3 scripts/bench_dir.py [--rounds 3] [--draft] [--precision int8]

It writes, once, to $TMPDIR/vit-bench/: 24 photo-like 4000×3000 4:2:0
JPEGs (quality 90, PIL; bench_decode.photo with seeds 1–24) and a ViT-B/16
with torchvision's random initialisation saved as a transformers
ViTForImageClassification checkpoint (make_model_fixtures.hf_keys; 1000
classes, processor defaults: resize 224×224 bilinear, mean = std = 0.5).

Each round runs, interleaved:
  * PyTorch: a Dataset opening each file with PIL (convert("RGB"),
    resize((224, 224), BILINEAR), ToTensor, Normalize), a DataLoader with 2
    workers and batches of 8, the torchvision model in eval mode under
    torch.no_grad() (torch's own threads: all cores; BLAS is Debian's
    OpenBLAS), softmax and top-5 — timed from the start of the script's
    work to the last batch, model loading excluded;
  * vit: `vit classify -m DIR -b 8 -f jsonl -k 5 IMAGES` (all cores),
    built once with go build, timed as a whole process (model loading
    included); with --draft also `--draft`, with --precision also that,
    and with both also the two together.

It prints per-round times, medians and the speed-up PyTorch / vit. The
machine may be shared: compare ratios from the same rounds only.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def make_images(d, n=24):
    from bench_decode import photo
    os.makedirs(d, exist_ok=True)
    for i in range(n):
        p = os.path.join(d, "photo_%02d.jpg" % i)
        if not os.path.exists(p):
            photo(4000, 3000, seed=i + 1).save(p, "JPEG", quality=90, subsampling=2)
    return d


def build_model():
    from functools import partial
    import torch
    from torch import nn
    from torchvision.models.vision_transformer import VisionTransformer
    torch.manual_seed(0)
    return VisionTransformer(image_size=224, patch_size=16, num_layers=12, num_heads=12,
                             hidden_dim=768, mlp_dim=3072, num_classes=1000,
                             norm_layer=partial(nn.LayerNorm, eps=1e-12)).eval()


def make_checkpoint(d):
    if os.path.exists(os.path.join(d, "model.safetensors")):
        return d
    from make_model_fixtures import canonical, hf_keys
    from safetensors_io import write_safetensors
    import torch
    os.makedirs(d, exist_ok=True)
    m = build_model()
    c = canonical(m, {"pos": m.encoder.pos_embedding.detach().clone(), "dist": None,
                      "head_dist_w": None, "head_dist_b": None}, True)
    write_safetensors(os.path.join(d, "model.safetensors"), hf_keys(c, "vit", 12, False), {"format": "pt"})
    labels = {str(i): "class %d" % i for i in range(1000)}
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump({"model_type": "vit", "architectures": ["ViTForImageClassification"],
                   "hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12,
                   "intermediate_size": 3072, "image_size": 224, "patch_size": 16,
                   "id2label": labels, "label2id": {v: int(k) for k, v in labels.items()}}, f)
    del torch
    return d


def torch_run(images):
    """The PIL + PyTorch job; returns seconds."""
    import torch
    from PIL import Image
    import torchvision.transforms as T
    files = sorted(os.path.join(images, f) for f in os.listdir(images) if f.endswith(".jpg"))
    model = build_model()
    tf = T.Compose([T.ToTensor(), T.Normalize([0.5] * 3, [0.5] * 3)])

    class DS(torch.utils.data.Dataset):
        def __len__(self):
            return len(files)

        def __getitem__(self, i):
            im = Image.open(files[i]).convert("RGB").resize((224, 224), Image.BILINEAR)
            return tf(im)

    t = time.perf_counter()
    out = []
    with torch.no_grad():
        for x in torch.utils.data.DataLoader(DS(), batch_size=8, num_workers=2):
            out.append(torch.softmax(model(x), -1).topk(5))
    return time.perf_counter() - t


def vit_run(binary, model, images, extra):
    t = time.perf_counter()
    subprocess.run([binary, "classify", "-m", model, "-b", "8", "-f", "jsonl", "-k", "5",
                    "--progress", "never"] + extra + [images],
                   check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--draft", action="store_true")
    ap.add_argument("--precision", default="")
    ap.add_argument("--torch-run", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.torch_run:
        print(torch_run(a.torch_run))
        return
    base = os.path.join(tempfile.gettempdir(), "vit-bench")
    images = make_images(os.path.join(base, "dir24"))
    model = make_checkpoint(os.path.join(base, "vit-b16-hf"))
    binary = os.path.join(base, "vit")
    subprocess.run(["go", "build", "-o", binary, "./cmd/vit"], cwd=ROOT, check=True)
    runs = {"vit": []}
    if a.draft:
        runs["vit --draft"] = ["--draft"]
    if a.precision:
        runs["vit --precision " + a.precision] = ["--precision", a.precision]
    if a.draft and a.precision:
        runs["vit --draft --precision " + a.precision] = ["--draft", "--precision", a.precision]
    times = {k: [] for k in ["pytorch"] + list(runs)}
    for r in range(a.rounds):
        out = subprocess.run([sys.executable, os.path.abspath(__file__), "--torch-run", images],
                             check=True, capture_output=True, text=True).stdout
        times["pytorch"].append(float(out.split()[-1]))
        for k, extra in runs.items():
            times[k].append(vit_run(binary, model, images, extra))
        print("round %d: " % r + "  ".join("%s %.2f s" % (k, v[-1]) for k, v in times.items()), flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    print("24 JPEGs 4000×3000, ViT-B/16, medians of %d interleaved rounds:" % a.rounds)
    for k, v in med.items():
        print("  %s: %.2f s" % (k, v))
    for k in runs:
        print("  speed-up PyTorch / %s: %.2fx" % (k, med["pytorch"] / med[k]))


if __name__ == "__main__":
    main()
