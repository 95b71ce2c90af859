#!/usr/bin/python3
"""Write the timm-family golden fixtures to testdata/model/timm-*/.

Usage, from a checkout of huggingface/pytorch-image-models (the commit
named in internal/model/timm_archs.json):
    cd TIMM && TIMM_FUSED_ATTN=0 PYTHONPATH=. /usr/bin/python3 /path/to/vit/scripts/make_timm_fixtures.py

Each case is a registered timm architecture built by timm's own
create_model with tiny dimensions as model_args (D 32, 2 heads, 2
blocks, 32×32 input in 8×8 patches, 5 classes). Every parameter is
re-drawn: matrices with standard deviation 1/√fan_in, and every
LayerNorm gain and bias, layer scale, token, position embedding, bias and
relative position bias table far from its init value, so that a term
the loader misses changes the logits. The directory gets what timm's hub
export writes: config.json (save_config_for_hf, with the model_args) and
model.safetensors (the state dict), and:

  golden*.safetensors  pixels [B, C, H, W], hidden.N [B, T, D] (each
                       block's output) and logits [B, L], from timm's
                       forward in float64
  embed.safetensors    embedding [B, D'], forward_head(pre_logits=True)
                       of the golden pixels
  image.safetensors    pixels [1, C, H, W] of
                       testdata/preprocess/odd420_101x75.jpg through timm's
                       eval transform (resolve_data_config,
                       create_transform) and the logits [1, L]
"""
import json
import os
import sys
import tempfile

import torch
from PIL import Image

import timm
from timm.data import create_transform, resolve_data_config
from timm.models._hub import save_config_for_hf

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import write_safetensors  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "testdata", "model")
IMAGE = os.path.join(ROOT, "testdata", "preprocess", "odd420_101x75.jpg")

TINY = dict(img_size=32, patch_size=8, embed_dim=32, depth=2, num_heads=2, mlp_ratio=2.0, num_classes=5)

# name → (architecture, extra model_args, extra golden grids)
CASES = {
    # DeiT III: layer scale, position embeddings without the class token.
    "timm-deit3": ("deit3_small_patch16_224", {}, {"_3x5": (1, 3, 5)}),
    # Registers, no class token, global average pooling + fc_norm.
    "timm-reg-gap": ("vit_base_patch16_reg4_gap_256", {}, {}),
    # CLIP image tower: norm_pre, no patch bias, LayerNorm ε 1e-5, QuickGELU.
    "timm-clip-quickgelu": ("vit_base_patch16_clip_quickgelu_224", {}, {}),
    # No class token, final norm then average pooling (fc_norm=False),
    # layer scale, no qkv bias.
    "timm-gap-norm": ("vit_medium_patch16_gap_256", {}, {}),
    # DINOv2 with registers: class token + 4 registers, layer scale.
    "timm-dinov2-reg": ("vit_small_patch14_reg4_dinov2", {}, {}),
    # BEiT v2: relative position bias, q/v bias, gamma_1/2, avg + fc_norm.
    "timm-beitv2": ("beitv2_base_patch16_224", {}, {}),
}


def perturb(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            r = torch.randn(p.shape, generator=g, dtype=torch.float64).to(p.dtype)
            if p.dim() >= 2 and "token" not in name and "pos_embed" not in name and "relative_position" not in name:
                fan_in = p[0].numel()
                p.copy_(r / fan_in ** 0.5)
            elif name.endswith("norm.weight") or ".norm" in name and name.endswith(".weight") or name.endswith("norm_pre.weight"):
                p.copy_(1 + 0.3 * r)
            elif "gamma" in name:
                p.copy_(0.5 * r)
            else:
                p.copy_(0.5 * r)


def forward(model, pixels):
    hidden = []
    hooks = [b.register_forward_hook(lambda m, i, o: hidden.append(o.detach().clone())) for b in model.blocks]
    with torch.no_grad():
        feats = model.forward_features(pixels)
        emb = model.forward_head(feats, pre_logits=True)
        logits = model.forward_head(feats)
    for h in hooks:
        h.remove()
    return hidden, emb, logits


def case(name, arch, extra, grids, seed):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    args = dict(TINY, **extra)
    overlay = dict(input_size=(3, args["img_size"], args["img_size"]), num_classes=args["num_classes"])
    torch.manual_seed(seed)
    model = timm.create_model(arch, pretrained=False, pretrained_cfg_overlay=overlay, **args)
    model.eval()
    perturb(model, seed)
    sd = {k: v.contiguous() for k, v in model.state_dict().items()}
    write_safetensors(os.path.join(d, "model.safetensors"), sd, {"format": "pt"})
    with tempfile.TemporaryDirectory() as tmp:
        from pathlib import Path
        save_config_for_hf(model, Path(tmp) / "config.json", model_args=args)
        cfg = json.load(open(os.path.join(tmp, "config.json")))
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")

    m64 = model.double()
    g = torch.Generator().manual_seed(seed + 1)
    p = args["patch_size"]
    n = args["img_size"] // p
    for suffix, (b, gh, gw) in dict({"": (2, n, n)}, **grids).items():
        pixels = torch.randn(b, 3, gh * p, gw * p, generator=g, dtype=torch.float64)
        if suffix:
            if not getattr(m64, "dynamic_img_size", False):
                m64.patch_embed.strict_img_size = False
                m64.dynamic_img_size = True
                m64.patch_embed.flatten = False
                m64.patch_embed.output_fmt = timm.layers.Format.NHWC
        hidden, emb, logits = forward(m64, pixels)
        t = {"pixels": pixels.float(), "logits": logits.float()}
        for i, h in enumerate(hidden):
            t["hidden.%d" % i] = h.float()
        write_safetensors(os.path.join(d, "golden%s.safetensors" % suffix), t)
        if not suffix:
            write_safetensors(os.path.join(d, "embed.safetensors"), {"embedding": emb.float()})

    cfgd = resolve_data_config({}, model=model)
    tf = create_transform(**cfgd)
    px = tf(Image.open(IMAGE).convert("RGB"))[None].double()
    _, _, logits = forward(m64, px)
    write_safetensors(os.path.join(d, "image.safetensors"), {"pixels": px.float(), "logits": logits.float()})
    print(name, arch, sum(v.numel() for v in sd.values()), "parameters", cfgd)


def main():
    names = sys.argv[1:] or list(CASES)
    for i, name in enumerate(CASES):
        if name in names:
            arch, extra, grids = CASES[name]
            case(name, arch, extra, grids, 100 + i)


if __name__ == "__main__":
    main()
