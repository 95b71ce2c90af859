#!/usr/bin/python3
"""Write the embedding fixtures: testdata/model/NAME/embed.safetensors.

Usage: /usr/bin/python3 scripts/make_embed_fixtures.py   (after make_model_fixtures.py)

For each model fixture, the pooled representation its classifier head
reads, for the pixels of its golden.safetensors: PyTorch's final LayerNorm
(float64) on the class token of the residual stream after the last block
(golden.safetensors' hidden.N, PyTorch's own output), and for a DeiT with a
distillation head the mean of the normed class and distillation tokens, as
timm's VisionTransformerDistilled.forward_head(pre_logits=True) returns.
The final norm's weights are read from the fixture's model.safetensors (F32,
F16 or BF16). The file holds "embedding" [B, D], for golden.safetensors' "pixels".

Needs Debian's python3-torch (1.13) and numpy.
"""
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
MODELS = os.path.join(ROOT, "testdata", "model")

# name -> (final norm key prefix, LayerNorm eps, distillation head)
CASES = {
    "hf-vit-tiny": ("vit.layernorm", 1e-12, False),
    "timm-vit-tiny-f16": ("norm", 1e-6, False),
    "hf-deit-distilled-bf16": ("deit.layernorm", 1e-12, True),
    "hf-vit-224-12h": ("vit.layernorm", 0.05, False),
    "hf-vit-12blocks-f16": ("vit.layernorm", 1e-12, False),
}


def read_any(path, names):
    """The named tensors of a safetensors file as float64 numpy arrays."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for k in names:
        v = header[k]
        s, e = v["data_offsets"]
        raw = data[8 + n + s:8 + n + e]
        if v["dtype"] == "F32":
            a = np.frombuffer(raw, dtype="<f4")
        elif v["dtype"] == "F16":
            a = np.frombuffer(raw, dtype="<f2").astype(np.float32)
        elif v["dtype"] == "BF16":
            a = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            raise ValueError("%s: %s is %s" % (path, k, v["dtype"]))
        out[k] = a.astype(np.float64).reshape(v["shape"])
    return out


def main():
    for name, (norm, eps, dist_head) in CASES.items():
        d = os.path.join(MODELS, name)
        g = read_safetensors(os.path.join(d, "golden.safetensors"))
        last = max(int(k.split(".")[1]) for k in g if k.startswith("hidden."))
        x = torch.from_numpy(g["hidden.%d" % last]).double()  # [B, T, D]
        w = read_any(os.path.join(d, "model.safetensors"), [norm + ".weight", norm + ".bias"])
        ln = lambda t: F.layer_norm(t, t.shape[-1:], torch.from_numpy(w[norm + ".weight"]),
                                    torch.from_numpy(w[norm + ".bias"]), eps)
        emb = ln(x[:, 0])
        if dist_head:
            emb = (emb + ln(x[:, 1])) / 2
        write_safetensors(os.path.join(d, "embed.safetensors"),
                          {"embedding": emb.float()})


if __name__ == "__main__":
    main()
