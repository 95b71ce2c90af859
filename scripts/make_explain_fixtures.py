#!/usr/bin/python3
"""Write the relevance fixtures: testdata/model/NAME/explain.safetensors.

Usage: /usr/bin/python3 scripts/make_explain_fixtures.py   (after make_model_fixtures.py)

For each case, the model fixture's weights (model.safetensors, F32 or BF16,
widened to float64) run on the pixels of its golden.safetensors through
PyTorch in float64: the embeddings, then per block torch's
nn.MultiheadAttention (the module torchvision's ViT EncoderBlock uses),
asked for its per-head attention weights (need_weights=True,
average_attn_weights=False), and the MLP. The logits are checked against
golden.safetensors. From the attention weights it computes what `vit
explain` reports, over the patch tokens:

  rollout  Abnar & Zuidema (2020): per block Â = (mean over heads of A + I)/2
           (the identity for the residual, rows renormalized), R = Â_L···Â_1,
           the class token's row of R; for a model with a distillation head
           the mean of the class and distillation tokens' rows.
  last     the last block's attention of the class token (mean of both
           prefix tokens with a distillation head), averaged over heads.
  logit    rollout with the last block's heads weighted, per prefix token r,
           by c[r, h] = g_r · W_O[:, h] o_h: head h's attention output at r,
           through the output projection, read by the top-1 class's head row
           through the final LayerNorm linearized at r (g_r = γ/σ ⊙ w_class,
           centered; halved for the two heads of a distilled model);
           weights max(c, 0) normalized to sum 1 (the plain mean when none is
           positive).

The file holds, as float32: "attn.L" [B, H, T, T] per block L (when T ≤ 64), "rollout",
"last" and "logit" [B, Np], "contrib" [B, pre, H] and "class" [B] (the
top-1 class the logit method explains).

Needs Debian's python3-torch (1.13) and numpy.
"""
import os
import sys

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_embed_fixtures import read_any  # noqa: E402
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
MODELS = os.path.join(ROOT, "testdata", "model")

# name -> (key prefix, layers, heads, LayerNorm eps, activation, qkv bias, distillation head)
CASES = {
    "hf-vit-tiny": ("vit", 2, 4, 1e-12, "erf", True, False),
    "hf-deit-distilled-bf16": ("deit", 2, 3, 1e-12, "tanh", False, True),
    "hf-vit-224-12h": ("vit", 2, 12, 0.05, "erf", True, False),
}


def weights(path, prefix, layers, qkv_bias, dist_head):
    names = [prefix + ".embeddings.cls_token", prefix + ".embeddings.position_embeddings",
             prefix + ".embeddings.patch_embeddings.projection.weight",
             prefix + ".embeddings.patch_embeddings.projection.bias",
             prefix + ".layernorm.weight", prefix + ".layernorm.bias"]
    if dist_head:
        names += [prefix + ".embeddings.distillation_token", "cls_classifier.weight",
                  "cls_classifier.bias", "distillation_classifier.weight",
                  "distillation_classifier.bias"]
    else:
        names += ["classifier.weight", "classifier.bias"]
    for i in range(layers):
        p = "%s.encoder.layer.%d." % (prefix, i)
        for s in ["query", "key", "value"]:
            names.append(p + "attention.attention.%s.weight" % s)
            if qkv_bias:
                names.append(p + "attention.attention.%s.bias" % s)
        for s in ["attention.output.dense", "intermediate.dense", "output.dense",
                  "layernorm_before", "layernorm_after"]:
            names += [p + s + ".weight", p + s + ".bias"]
    return {k: torch.from_numpy(v) for k, v in read_any(path, names).items()}


@torch.no_grad()
def run(w, prefix, layers, heads, eps, act, qkv_bias, dist_head, pixels):
    """Logits [B, L], attention [layers][B, H, T, T], the last block's
    per-head attention output o [B, T, D] and the final LayerNorm input [B, T, D]."""
    e = prefix + ".embeddings."
    pw = w[e + "patch_embeddings.projection.weight"]
    b, d, p = pixels.shape[0], pw.shape[0], pw.shape[-1]
    x = F.conv2d(pixels, pw, w[e + "patch_embeddings.projection.bias"], stride=p)
    x = x.flatten(2).transpose(1, 2)
    toks = [w[e + "cls_token"].expand(b, -1, -1)]
    if dist_head:
        toks.append(w[e + "distillation_token"].expand(b, -1, -1))
    x = torch.cat(toks + [x], dim=1) + w[e + "position_embeddings"]
    gelu = nn.GELU(approximate="tanh" if act == "tanh" else "none")
    attn, o = [], None
    for i in range(layers):
        lp = "%s.encoder.layer.%d." % (prefix, i)
        a = lp + "attention.attention."
        mha = nn.MultiheadAttention(d, heads, batch_first=True).double()
        mha.in_proj_weight.copy_(torch.cat([w[a + s + ".weight"] for s in ["query", "key", "value"]]))
        if qkv_bias:
            mha.in_proj_bias.copy_(torch.cat([w[a + s + ".bias"] for s in ["query", "key", "value"]]))
        else:
            mha.in_proj_bias.zero_()
        mha.out_proj.weight.copy_(w[lp + "attention.output.dense.weight"])
        mha.out_proj.bias.copy_(w[lp + "attention.output.dense.bias"])
        h = F.layer_norm(x, (d,), w[lp + "layernorm_before.weight"], w[lp + "layernorm_before.bias"], eps)
        y, pr = mha(h, h, h, need_weights=True, average_attn_weights=False)
        attn.append(pr)  # [B, H, T, T]
        # The per-head attention outputs, heads concatenated, before out_proj.
        v = F.linear(h, mha.in_proj_weight[2 * d:], mha.in_proj_bias[2 * d:])
        v = v.reshape(b, -1, heads, d // heads).transpose(1, 2)  # [B, H, T, Dh]
        o = (pr @ v).transpose(1, 2).reshape(b, -1, d)
        x = x + y
        h = F.layer_norm(x, (d,), w[lp + "layernorm_after.weight"], w[lp + "layernorm_after.bias"], eps)
        h = gelu(F.linear(h, w[lp + "intermediate.dense.weight"], w[lp + "intermediate.dense.bias"]))
        x = x + F.linear(h, w[lp + "output.dense.weight"], w[lp + "output.dense.bias"])
    n = F.layer_norm(x, (d,), w[prefix + ".layernorm.weight"], w[prefix + ".layernorm.bias"], eps)
    if dist_head:
        logits = (F.linear(n[:, 0], w["cls_classifier.weight"], w["cls_classifier.bias"]) +
                  F.linear(n[:, 1], w["distillation_classifier.weight"],
                           w["distillation_classifier.bias"])) / 2
    else:
        logits = F.linear(n[:, 0], w["classifier.weight"], w["classifier.bias"])
    return logits, attn, o, x


def contrib(w, prefix, layers, heads, eps, dist_head, o, x, cls):
    """c [pre, H] for one image: see the module comment."""
    d = x.shape[-1]
    dh = d // heads
    wo = w["%s.encoder.layer.%d.attention.output.dense.weight" % (prefix, layers - 1)]
    gamma = w[prefix + ".layernorm.weight"]
    if dist_head:
        rows = [(w["cls_classifier.weight"], 0.5), (w["distillation_classifier.weight"], 0.5)]
    else:
        rows = [(w["classifier.weight"], 1.0)]
    out = torch.zeros(len(rows), heads, dtype=torch.float64)
    for r, (hw, scale) in enumerate(rows):
        sigma = torch.sqrt(x[r].var(unbiased=False) + eps)
        g = scale * gamma * hw[cls] / sigma
        g = g - g.mean()
        for h in range(heads):
            y = wo[:, h * dh:(h + 1) * dh] @ o[r, h * dh:(h + 1) * dh]
            out[r, h] = g @ y
    return out


def relevance(attn, rows, last_weights=None):
    """The rollout of one image's attention [layers][H, T, T] read at the
    query rows, over the patch tokens; last_weights [len(rows), H] replaces
    the last block's head mean."""
    t = attn[0].shape[-1]
    eye = torch.eye(t, dtype=torch.float64)
    below = eye
    for a in attn[:-1]:
        below = ((a.mean(0) + eye) / 2) @ below
    out = torch.zeros(t, dtype=torch.float64)
    for i, r in enumerate(rows):
        a = attn[-1].mean(0) if last_weights is None else (last_weights[i][:, None, None] * attn[-1]).sum(0)
        out += ((a[r] + eye[r]) / 2) @ below
    return out / len(rows)


def main():
    for name, (prefix, layers, heads, eps, act, qkv_bias, dist_head) in CASES.items():
        d = os.path.join(MODELS, name)
        g = read_safetensors(os.path.join(d, "golden.safetensors"))
        w = weights(os.path.join(d, "model.safetensors"), prefix, layers, qkv_bias, dist_head)
        pixels = torch.from_numpy(g["pixels"]).double()
        logits, attn, o, x = run(w, prefix, layers, heads, eps, act, qkv_bias, dist_head, pixels)
        want = torch.from_numpy(g["logits"]).double()
        assert torch.allclose(logits, want, atol=1e-4, rtol=1e-4), (name, (logits - want).abs().max())
        pre = 2 if dist_head else 1
        rows = list(range(pre))
        # The attention itself only for the small cases (224² is 3.7 MB).
        out = {"attn.%d" % i: a.float() for i, a in enumerate(attn) if a.shape[-1] <= 64}
        cls = logits.argmax(1)
        ro, la, lo, co = [], [], [], []
        for bi in range(pixels.shape[0]):
            a = [l[bi] for l in attn]
            ro.append(relevance(a, rows)[pre:])
            la.append(sum(a[-1].mean(0)[r] for r in rows)[pre:] / pre)
            c = contrib(w, prefix, layers, heads, eps, dist_head, o[bi], x[bi], int(cls[bi]))
            wt = c.clamp(min=0)
            for r in range(pre):
                s = wt[r].sum()
                wt[r] = wt[r] / s if s > 0 else torch.full((heads,), 1.0 / heads, dtype=torch.float64)
            lo.append(relevance(a, rows, wt)[pre:])
            co.append(c)
        out.update({"rollout": torch.stack(ro).float(), "last": torch.stack(la).float(),
                    "logit": torch.stack(lo).float(), "contrib": torch.stack(co).float(),
                    "class": cls.float()})
        write_safetensors(os.path.join(d, "explain.safetensors"), out)
        print(name, "class", cls.tolist(), "contrib", [c.tolist() for c in co])


if __name__ == "__main__":
    main()
