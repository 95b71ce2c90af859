"""PyTorch ViT-B/16 in fp32, bf16 and dynamic int8, timed as vit bench times vit.

    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 scripts/torch_lowprec.py [--batches 1,8]

torchvision's vit_b_16 with random weights (speed does not depend on them),
eval mode, inference_mode, 2 threads, input 224x224 standard normal.
  fp32  Debian's torch 1.13 (its matmuls in the system BLAS: install
        libopenblas0-pthread, or a pass takes ~15 s)
  bf16  torch.autocast("cpu", torch.bfloat16): oneDNN's bf16 kernels
        (vdpbf16ps); 1.13's fused attention rejects autocast, so the
        copy it runs has nn.MultiheadAttention in training mode (the
        non-fused path; its dropout is 0)
  int8  torch.ao.quantization.quantize_dynamic on nn.Linear (qint8 weights,
        dynamic u8 activations; Debian's torch has the onednn engine)
Prints one JSON line per variant and batch: {"engine":"torch","variant",
"batch","med_s","min_s","n"} (seconds per pass: median and fastest of n).
"""
import argparse
import contextlib
import copy
import json
import statistics
import time

import torch
import torchvision


def time_runs(fn, warmup, runs, min_seconds):
    for _ in range(warmup):
        fn()
    samples = []
    start = time.perf_counter()
    while len(samples) < runs or time.perf_counter() - start < min_seconds:
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples), min(samples), len(samples)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batches", default="1,8")
    ap.add_argument("--variants", default="fp32,bf16,int8")
    args = ap.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(0)
    model = torchvision.models.vit_b_16(weights=None).eval()
    unfused = copy.deepcopy(model)
    for m in unfused.modules():
        if isinstance(m, torch.nn.MultiheadAttention):
            m.train()
    variants = {
        "fp32": (model, contextlib.nullcontext),
        "bf16": (unfused, lambda: torch.autocast("cpu", dtype=torch.bfloat16)),
        "int8": (torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8),
                 contextlib.nullcontext),
    }
    for b in (int(x) for x in args.batches.split(",")):
        x = torch.randn(b, 3, 224, 224)
        for name in args.variants.split(","):
            m, ctx = variants[name]
            with torch.inference_mode(), ctx():
                med, best, n = time_runs(lambda: m(x), 2 if b > 1 else 3, 5 if b > 1 else 10, 0 if b > 1 else 1.0)
            print(json.dumps({"engine": "torch", "variant": name, "batch": b, "med_s": med, "min_s": best, "n": n}), flush=True)


if __name__ == "__main__":
    main()
