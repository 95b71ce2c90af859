#!/usr/bin/python3
"""Write the model golden fixtures to testdata/model/.

Usage: /usr/bin/python3 scripts/make_model_fixtures.py   (or `make fixtures`)

Needs Debian's python3-torch (1.13) and python3-torchvision (0.14). Each case
is a torchvision VisionTransformer with random weights, remapped to one
checkpoint layout (HF ViT, HF DeiT with teacher, timm) and written by hand as
safetensors (8-byte little-endian header length, JSON header, raw data), with
a config.json and no preprocessor_config.json (so the HF defaults apply).
Next to it, golden*.safetensors holds the input pixels [B, C, H, W], the
residual stream after every block hidden.N [B, T, D] and the logits [B, L],
computed by PyTorch in float64 from the stored (rounded) weights.

For the models given an image, image.safetensors holds the logits [1, L]
of testdata/preprocess/odd420_101x75.jpg preprocessed as the model's own
recipe says (HF processor defaults, or timm's eval transform from
pretrained_cfg) by make_preprocess_fixtures.py's PIL/torchvision reference,
those pixels [1, C, H, W], and the pooled representation the head reads
"embedding" [1, D] (the final LayerNorm of the class token, averaged with
the distillation token's for a distillation head), which `vit embed` of
that file is compared with.

It also regenerates internal/model/imagenet_labels.txt from torchvision's
ImageNet-1k category names.
"""
import json
import os
import sys
from functools import partial

import torch
import torch.nn.functional as F
from torch import nn
from torchvision.models._meta import _IMAGENET_CATEGORIES
from torchvision.models.vision_transformer import VisionTransformer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_preprocess_fixtures import run_hf, run_timm  # noqa: E402
from safetensors_io import write_safetensors  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "testdata", "model")
IMAGE = os.path.join(ROOT, "testdata", "preprocess", "odd420_101x75.jpg")

def build(image, patch, layers, heads, dim, mlp, classes, eps, act, seed, distilled):
    """A torchvision ViT with every parameter re-drawn so that biases,
    LayerNorm gains and attention scores are far from their init values."""
    torch.manual_seed(seed)
    m = VisionTransformer(image_size=image, patch_size=patch, num_layers=layers,
                          num_heads=heads, hidden_dim=dim, mlp_dim=mlp,
                          num_classes=classes, norm_layer=partial(nn.LayerNorm, eps=eps))
    if act == "tanh":
        for layer in m.encoder.layers:
            layer.mlp[1] = nn.GELU(approximate="tanh")
    g = (image // patch) ** 2
    extra = {
        "pos": torch.randn(1, g + (2 if distilled else 1), dim) * 0.5,
        "dist": torch.randn(1, 1, dim) * 0.5 if distilled else None,
        "head_dist_w": torch.randn(classes, dim) / dim ** 0.5 if distilled else None,
        "head_dist_b": torch.randn(classes) * 0.1 if distilled else None,
    }
    with torch.no_grad():
        for name, p in m.named_parameters():
            if name.startswith("encoder.pos_embedding"):
                continue
            if p.dim() == 1 and ("ln" in name):
                p.copy_((1 if name.endswith("weight") else 0) + 0.2 * torch.randn_like(p))
            elif p.dim() == 1:
                p.copy_(0.1 * torch.randn_like(p))
            elif name == "class_token":
                p.copy_(0.5 * torch.randn_like(p))
            else:
                fan_in = p[0].numel()
                p.copy_(torch.randn_like(p) * 1.5 / fan_in ** 0.5)
    m.eval()
    return m, extra


def canonical(m, extra, qkv_bias):
    """Parameters under neutral names, in the reference module order."""
    sd = {k: v.detach().clone() for k, v in m.state_dict().items()}
    c = {"patch.w": sd["conv_proj.weight"], "patch.b": sd["conv_proj.bias"],
         "cls": sd["class_token"], "pos": extra["pos"]}
    if extra["dist"] is not None:
        c["dist"] = extra["dist"]
    for i in range(len(m.encoder.layers)):
        p = "encoder.layers.encoder_layer_%d." % i
        c["%d.norm1.w" % i] = sd[p + "ln_1.weight"]
        c["%d.norm1.b" % i] = sd[p + "ln_1.bias"]
        c["%d.qkv.w" % i] = sd[p + "self_attention.in_proj_weight"]
        if qkv_bias:
            c["%d.qkv.b" % i] = sd[p + "self_attention.in_proj_bias"]
        c["%d.proj.w" % i] = sd[p + "self_attention.out_proj.weight"]
        c["%d.proj.b" % i] = sd[p + "self_attention.out_proj.bias"]
        c["%d.norm2.w" % i] = sd[p + "ln_2.weight"]
        c["%d.norm2.b" % i] = sd[p + "ln_2.bias"]
        c["%d.fc1.w" % i] = sd[p + "mlp.0.weight"]
        c["%d.fc1.b" % i] = sd[p + "mlp.0.bias"]
        c["%d.fc2.w" % i] = sd[p + "mlp.3.weight"]
        c["%d.fc2.b" % i] = sd[p + "mlp.3.bias"]
    c["norm.w"] = sd["encoder.ln.weight"]
    c["norm.b"] = sd["encoder.ln.bias"]
    c["head.w"] = sd["heads.head.weight"]
    c["head.b"] = sd["heads.head.bias"]
    if extra["head_dist_w"] is not None:
        c["head_dist.w"] = extra["head_dist_w"]
        c["head_dist.b"] = extra["head_dist_b"]
    return c


def round_to(c, dtype):
    """Store in dtype; the reference runs on exactly these values."""
    stored = {k: v.to(dtype) for k, v in c.items()}
    return stored, {k: v.double() for k, v in stored.items()}


def load_back(m, c, qkv_bias):
    """Put canonical (rounded, float64) values into the torchvision model."""
    m.double()
    with torch.no_grad():
        m.conv_proj.weight.copy_(c["patch.w"])
        m.conv_proj.bias.copy_(c["patch.b"])
        m.class_token.copy_(c["cls"])
        for i, layer in enumerate(m.encoder.layers):
            layer.ln_1.weight.copy_(c["%d.norm1.w" % i])
            layer.ln_1.bias.copy_(c["%d.norm1.b" % i])
            layer.self_attention.in_proj_weight.copy_(c["%d.qkv.w" % i])
            if qkv_bias:
                layer.self_attention.in_proj_bias.copy_(c["%d.qkv.b" % i])
            else:
                layer.self_attention.in_proj_bias.zero_()
            layer.self_attention.out_proj.weight.copy_(c["%d.proj.w" % i])
            layer.self_attention.out_proj.bias.copy_(c["%d.proj.b" % i])
            layer.ln_2.weight.copy_(c["%d.norm2.w" % i])
            layer.ln_2.bias.copy_(c["%d.norm2.b" % i])
            layer.mlp[0].weight.copy_(c["%d.fc1.w" % i])
            layer.mlp[0].bias.copy_(c["%d.fc1.b" % i])
            layer.mlp[3].weight.copy_(c["%d.fc2.w" % i])
            layer.mlp[3].bias.copy_(c["%d.fc2.b" % i])
        m.encoder.ln.weight.copy_(c["norm.w"])
        m.encoder.ln.bias.copy_(c["norm.b"])
        m.heads.head.weight.copy_(c["head.w"])
        m.heads.head.bias.copy_(c["head.b"])


def resample_pos(pos, prefix, gh, gw, antialias):
    """HF interpolate_pos_encoding (antialias=False) or timm
    resample_abs_pos_embed (antialias=True): bicubic, align_corners=False."""
    g0 = int((pos.shape[1] - prefix) ** 0.5)
    if gh == g0 and gw == g0:
        return pos
    d = pos.shape[-1]
    grid = pos[:, prefix:].reshape(1, g0, g0, d).permute(0, 3, 1, 2)
    grid = F.interpolate(grid, size=(gh, gw), mode="bicubic", align_corners=False, antialias=antialias)
    grid = grid.permute(0, 2, 3, 1).reshape(1, gh * gw, d)
    return torch.cat([pos[:, :prefix], grid], dim=1)


@torch.no_grad()
def forward(m, c, pixels, antialias, dist_head):
    """The encoder on torchvision's modules: embeddings, blocks (recording
    the residual stream), final LayerNorm, head(s)."""
    b, _, h, w = pixels.shape
    p = m.patch_size
    gh, gw = h // p, w // p
    x = m.conv_proj(pixels).reshape(b, m.hidden_dim, gh * gw).permute(0, 2, 1)
    toks = [c["cls"].expand(b, -1, -1)]
    if "dist" in c:
        toks.append(c["dist"].expand(b, -1, -1))
    x = torch.cat(toks + [x], dim=1)
    x = x + resample_pos(c["pos"], len(toks), gh, gw, antialias)
    hidden = []
    for layer in m.encoder.layers:
        x = layer(x)
        hidden.append(x)
    x = m.encoder.ln(x)
    logits = m.heads(x[:, 0])
    if dist_head:
        logits = (logits + F.linear(x[:, 1], c["head_dist.w"], c["head_dist.b"])) / 2
    return hidden, logits


def hf_keys(c, prefix, layers, dist_head):
    """Canonical → transformers ViT/DeiT keys; q|k|v split."""
    k = {prefix + ".embeddings.cls_token": c["cls"]}
    if "dist" in c:
        k[prefix + ".embeddings.distillation_token"] = c["dist"]
    k[prefix + ".embeddings.position_embeddings"] = c["pos"]
    k[prefix + ".embeddings.patch_embeddings.projection.weight"] = c["patch.w"]
    k[prefix + ".embeddings.patch_embeddings.projection.bias"] = c["patch.b"]
    for i in range(layers):
        p = "%s.encoder.layer.%d." % (prefix, i)
        q, kk, v = c["%d.qkv.w" % i].chunk(3)
        k[p + "attention.attention.query.weight"] = q
        k[p + "attention.attention.key.weight"] = kk
        k[p + "attention.attention.value.weight"] = v
        if "%d.qkv.b" % i in c:
            qb, kb, vb = c["%d.qkv.b" % i].chunk(3)
            k[p + "attention.attention.query.bias"] = qb
            k[p + "attention.attention.key.bias"] = kb
            k[p + "attention.attention.value.bias"] = vb
        k[p + "attention.output.dense.weight"] = c["%d.proj.w" % i]
        k[p + "attention.output.dense.bias"] = c["%d.proj.b" % i]
        k[p + "intermediate.dense.weight"] = c["%d.fc1.w" % i]
        k[p + "intermediate.dense.bias"] = c["%d.fc1.b" % i]
        k[p + "output.dense.weight"] = c["%d.fc2.w" % i]
        k[p + "output.dense.bias"] = c["%d.fc2.b" % i]
        k[p + "layernorm_before.weight"] = c["%d.norm1.w" % i]
        k[p + "layernorm_before.bias"] = c["%d.norm1.b" % i]
        k[p + "layernorm_after.weight"] = c["%d.norm2.w" % i]
        k[p + "layernorm_after.bias"] = c["%d.norm2.b" % i]
    k[prefix + ".layernorm.weight"] = c["norm.w"]
    k[prefix + ".layernorm.bias"] = c["norm.b"]
    if dist_head:
        k["cls_classifier.weight"] = c["head.w"]
        k["cls_classifier.bias"] = c["head.b"]
        k["distillation_classifier.weight"] = c["head_dist.w"]
        k["distillation_classifier.bias"] = c["head_dist.b"]
    else:
        k["classifier.weight"] = c["head.w"]
        k["classifier.bias"] = c["head.b"]
    return k


def timm_keys(c, layers):
    k = {"cls_token": c["cls"]}
    if "dist" in c:
        k["dist_token"] = c["dist"]
    k["pos_embed"] = c["pos"]
    k["patch_embed.proj.weight"] = c["patch.w"]
    k["patch_embed.proj.bias"] = c["patch.b"]
    for i in range(layers):
        p = "blocks.%d." % i
        for src, dst in [("norm1.w", "norm1.weight"), ("norm1.b", "norm1.bias"),
                         ("qkv.w", "attn.qkv.weight"), ("qkv.b", "attn.qkv.bias"),
                         ("proj.w", "attn.proj.weight"), ("proj.b", "attn.proj.bias"),
                         ("norm2.w", "norm2.weight"), ("norm2.b", "norm2.bias"),
                         ("fc1.w", "mlp.fc1.weight"), ("fc1.b", "mlp.fc1.bias"),
                         ("fc2.w", "mlp.fc2.weight"), ("fc2.b", "mlp.fc2.bias")]:
            if "%d.%s" % (i, src) in c:
                k[p + dst] = c["%d.%s" % (i, src)]
    k["norm.weight"] = c["norm.w"]
    k["norm.bias"] = c["norm.b"]
    k["head.weight"] = c["head.w"]
    k["head.bias"] = c["head.b"]
    if "head_dist.w" in c:
        k["head_dist.weight"] = c["head_dist.w"]
        k["head_dist.bias"] = c["head_dist.b"]
    return k


def golden(path, m, c, pixels, antialias, dist_head):
    hidden, logits = forward(m, c, pixels.double(), antialias, dist_head)
    t = {"pixels": pixels.float()}
    for i, h in enumerate(hidden):
        t["hidden.%d" % i] = h.float()
    t["logits"] = logits.float()
    write_safetensors(path, t)


def image_golden(path, m, c, pixels, antialias, dist_head):
    """Logits and embedding of one preprocessed image file, with its pixels."""
    pixels = torch.from_numpy(pixels)[None]
    hidden, logits = forward(m, c, pixels.double(), antialias, dist_head)
    x = m.encoder.ln(hidden[-1])
    emb = x[:, 0]
    if dist_head:
        emb = (emb + x[:, 1]) / 2
    write_safetensors(path, {"pixels": pixels.float(), "logits": logits.float(),
                             "embedding": emb.float()})


def case(name, *, layout, dtype, image, patch, layers, heads, dim, mlp, classes, eps,
         act, seed, qkv_bias=True, distilled=False, dist_head=False, config, grids,
         preprocess=None):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    m, extra = build(image, patch, layers, heads, dim, mlp, classes, eps, act, seed, distilled)
    stored, ref = round_to(canonical(m, extra, qkv_bias), dtype)
    load_back(m, ref, qkv_bias)
    if layout == "timm":
        keys = timm_keys(stored, layers)
    else:
        keys = hf_keys(stored, layout, layers, dist_head)
    write_safetensors(os.path.join(d, "model.safetensors"), keys, {"format": "pt"})
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    g = torch.Generator().manual_seed(seed + 1)
    for suffix, (b, gh, gw) in grids.items():
        pixels = torch.randn(b, 3, gh * patch, gw * patch, generator=g)
        golden(os.path.join(d, "golden%s.safetensors" % suffix), m, ref, pixels,
               layout == "timm", dist_head)
    if preprocess is not None:
        image_golden(os.path.join(d, "image.safetensors"), m, ref, preprocess(IMAGE),
                     layout == "timm", dist_head)


def main():
    os.makedirs(OUT, exist_ok=True)
    tiny = dict(image=32, patch=8, layers=2, heads=4, dim=64, mlp=128, classes=10, seed=1)
    labels = {str(i): "class %d" % i for i in range(10)}
    # Tiny HF ViT, F32, config defaults (gelu, eps 1e-12): native 4×4 grid,
    # upsampled 6×5 and downsampled 3×3 position embeddings.
    case("hf-vit-tiny", layout="vit", dtype=torch.float32, eps=1e-12, act="erf", **tiny,
         config={"model_type": "vit", "architectures": ["ViTForImageClassification"],
                 "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
                 "intermediate_size": 128, "image_size": 32, "patch_size": 8,
                 "id2label": labels, "label2id": {v: int(k) for k, v in labels.items()}},
         grids={"": (2, 4, 4), "_6x5": (1, 6, 5), "_3x3": (1, 3, 3)},
         preprocess=lambda path: run_hf(path, {
             "image_processor_type": "ViTImageProcessor", "size": {"height": 32, "width": 32},
             "resample": 2, "rescale_factor": 1 / 255}))
    # The same model in timm layout, stored as F16 (eps 1e-6, antialiased
    # position-embedding resampling).
    case("timm-vit-tiny-f16", layout="timm", dtype=torch.float16, eps=1e-6, act="erf", **tiny,
         config={"architecture": "vit_tiny_patch16_224", "num_classes": 10,
                 "num_features": 64, "global_pool": "token",
                 "model_args": {"img_size": 32, "patch_size": 8, "embed_dim": 64, "depth": 2,
                                "num_heads": 4, "mlp_ratio": 2.0},
                 "pretrained_cfg": {"input_size": [3, 32, 32], "interpolation": "bicubic",
                                    "crop_pct": 0.9, "mean": [0.5, 0.5, 0.5],
                                    "std": [0.5, 0.5, 0.5], "num_classes": 10}},
         grids={"": (2, 4, 4), "_6x5": (1, 6, 5), "_3x3": (1, 3, 3)},
         preprocess=lambda path: run_timm(path, {
             "input_size": [3, 32, 32], "interpolation": "bicubic", "crop_pct": 0.9,
             "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5]}))
    # HF DeiT with teacher, BF16, tanh GELU, no qkv bias.
    case("hf-deit-distilled-bf16", layout="deit", dtype=torch.bfloat16, image=48, patch=16,
         layers=2, heads=3, dim=48, mlp=96, classes=7, eps=1e-12, act="tanh", seed=2,
         qkv_bias=False, distilled=True, dist_head=True,
         config={"model_type": "deit", "architectures": ["DeiTForImageClassificationWithTeacher"],
                 "hidden_size": 48, "num_hidden_layers": 2, "num_attention_heads": 3,
                 "intermediate_size": 96, "image_size": 48, "patch_size": 16,
                 "hidden_act": "gelu_pytorch_tanh", "qkv_bias": False,
                 "layer_norm_eps": 1e-12,
                 "id2label": {str(i): "deit %d" % i for i in range(7)}},
         grids={"": (2, 3, 3), "_4x5": (1, 4, 5)})
    # 224/16 with 12 heads (Dh 8) and a large LayerNorm eps.
    case("hf-vit-224-12h", layout="vit", dtype=torch.float32, image=224, patch=16, layers=2,
         heads=12, dim=96, mlp=192, classes=5, eps=0.05, act="erf", seed=3,
         config={"model_type": "vit", "architectures": ["ViTForImageClassification"],
                 "hidden_size": 96, "num_hidden_layers": 2, "num_attention_heads": 12,
                 "intermediate_size": 192, "image_size": 224, "patch_size": 16,
                 "layer_norm_eps": 0.05, "hidden_act": "gelu",
                 "id2label": {str(i): "c%d" % i for i in range(5)}},
         grids={"": (1, 14, 14)})
    # 12 blocks (narrow, F16) so that error growing with depth shows, on
    # the native grid and a resampled 5×3 one.
    case("hf-vit-12blocks-f16", layout="vit", dtype=torch.float16, image=32, patch=8,
         layers=12, heads=4, dim=32, mlp=128, classes=10, eps=1e-12, act="erf", seed=4,
         config={"model_type": "vit", "architectures": ["ViTForImageClassification"],
                 "hidden_size": 32, "num_hidden_layers": 12, "num_attention_heads": 4,
                 "intermediate_size": 128, "image_size": 32, "patch_size": 8,
                 "id2label": {str(i): "b%d" % i for i in range(10)}},
         grids={"": (2, 4, 4), "_5x3": (1, 5, 3)})
    with open(os.path.join(ROOT, "internal", "model", "imagenet_labels.txt"), "w") as f:
        f.write("\n".join(_IMAGENET_CATEGORIES) + "\n")


if __name__ == "__main__":
    main()
