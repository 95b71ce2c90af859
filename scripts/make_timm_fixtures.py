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
    # BEiT-3: LayerNorm inside the attention and the MLP, ε 1e-5.
    "timm-beit3": ("beit3_base_patch16_224", {}, {}),
    # EVA-01: Eva without rotary embedding, fused q|k|v with q/v bias.
    "timm-eva-giant": ("eva_giant_patch14_224", {}, {}),
    # EVA-02: rotary embedding scaled to a 16×16 reference grid, separate
    # q, k, v, SwiGLU with its LayerNorm, avg + fc_norm.
    "timm-eva02": ("eva02_base_patch14_448", {}, {}),
    # EVA-02 CLIP: LayerNorm inside the attention, token pooling.
    "timm-eva02-clip": ("eva02_base_patch16_clip_224", {}, {}),
    # EVA-02 small: packed SwiGLU (GluMlp) without norm, fused q|k|v.
    "timm-eva02-glu": ("eva02_small_patch14_336", {}, {}),
    # RoPE ViT: "xy" grid, temperature 100, no absolute position, full qkv
    # bias (AttentionRope), layer scale.
    "timm-rope-xy": ("vit_base_patch16_rope_224", {}, {}),
    # RoPE with a register token, no class token, average pooling; built
    # with dynamic_img_size so that timm computes the rotary embedding of
    # a 3×5 grid too.
    "timm-rope-reg-gap": ("vit_medium_patch16_rope_reg1_gap_256", {"dynamic_img_size": True}, {"_3x5": (1, 3, 5)}),
    # Mixed RoPE: learned frequencies per block and head (rope.freqs),
    # absolute positions without the class token; a 3×5 grid too.
    "timm-rope-mixed": ("vit_small_patch16_rope_mixed_ape_224", {"dynamic_img_size": True}, {"_3x5": (1, 3, 5)}),
    # Differential attention (attn_layer "diff"), register, GAP.
    "timm-diff-attn": ("vit_dwee_patch16_reg1_gap_256", {}, {}),
    # Parallel block (ParallelScalingBlock): one in_proj for fc1 | q | k | v,
    # x += ls(attn_out + mlp_out).
    "timm-parallel": ("vit_pwee_patch16_reg1_gap_256", {}, {}),
    # Differential attention in a parallel block, one output projection
    # over [attn | mlp] (DiffParallelScalingBlock).
    "timm-diff-parallel": ("vit_dpwee_patch16_reg1_gap_256", {}, {}),
    # SigLIP: MAP attention-pool head, no class token; two register
    # tokens added, which the pool leaves out.
    "timm-siglip-map": ("vit_so400m_patch14_siglip_378", {"reg_tokens": 2}, {}),
    # MAP attention pool over every token, register included
    # (pool_include_prefix), layer scale.
    "timm-map-prefix": ("test_vit3", {}, {}),
    # Perception Encoder: Eva with MAP head (8 pooling heads, its own MLP
    # ratio), rotary embedding with grid offset 1, pre-transformer norm.
    "timm-pe-core": ("vit_pe_core_base_patch16_224", {}, {}),
    # Post-norm blocks (ResPostBlock): x += LN1(Attn(x)); x += LN2(MLP(x)).
    "timm-respost": ("vit_base_patch16_rpn_224", {}, {}),
    # Eva post-norm blocks (EVA-02 enormous), token pooling.
    "timm-eva-postnorm": ("eva02_enormous_patch14_clip_224", {}, {}),
    # Relative position MLP bias per block, class token (no bias on it),
    # token pooling, no absolute position embedding.
    "timm-relpos-cls": ("vit_relpos_medium_patch16_cls_224", {}, {}),
    # One relative position MLP shared by the blocks, no class token,
    # final norm then average pooling.
    "timm-srelpos": ("vit_srelpos_small_patch16_224", {}, {}),
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


# Fixtures that also record each block's attention probabilities
# [B, H, T, T] (attn.safetensors: attn.N), the input of the attention's
# dropout with TIMM_FUSED_ATTN=0.
ATTN_CASES = ("timm-beitv2", "timm-rope-xy")


def attention_probs(model, pixels):
    probs = []
    hooks = [b.attn.attn_drop.register_forward_hook(lambda m, i, o: probs.append(i[0].detach().clone()))
             for b in model.blocks]
    with torch.no_grad():
        model.forward_features(pixels)
    for h in hooks:
        h.remove()
    return probs


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
            if not getattr(m64, "dynamic_img_size", False):  # plain ViT: resample as timm's dynamic size does
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
            if name in ATTN_CASES:
                probs = attention_probs(m64, pixels)
                write_safetensors(os.path.join(d, "attn.safetensors"),
                                  {"attn.%d" % i: p.float() for i, p in enumerate(probs)})

    cfgd = resolve_data_config({}, model=model)
    tf = create_transform(**cfgd)
    px = tf(Image.open(IMAGE).convert("RGB"))[None].double()
    _, _, logits = forward(m64, px)
    write_safetensors(os.path.join(d, "image.safetensors"), {"pixels": px.float(), "logits": logits.float()})
    print(name, arch, sum(v.numel() for v in sd.values()), "parameters", cfgd)


# Hugging Face classes of the same families, made from a timm model's
# weights renamed as transformers' conversion scripts do
# (convert_dinov2_to_hf.py, convert_vit_msn_to_pytorch.py):
# name → (timm architecture, model_type, HF class, HF prefix)
HF_CASES = {
    "hf-dinov2": ("vit_small_patch14_dinov2", "dinov2", "Dinov2ForImageClassification", "dinov2"),
    "hf-dinov2-reg": ("vit_small_patch14_reg4_dinov2", "dinov2_with_registers",
                      "Dinov2WithRegistersForImageClassification", "dinov2_with_registers"),
    "hf-vit-msn": ("vit_base_patch16_224", "vit_msn", "ViTMSNForImageClassification", "vit"),
}


def hf_state(model, prefix, dinov2):
    """timm state dict → transformers key names."""
    sd = {k: v.float() for k, v in model.state_dict().items()}
    D = model.embed_dim
    out = {}
    e = prefix + ".embeddings."
    out[e + "cls_token"] = sd["cls_token"]
    out[e + "position_embeddings"] = sd["pos_embed"]
    out[e + "patch_embeddings.projection.weight"] = sd["patch_embed.proj.weight"]
    out[e + "patch_embeddings.projection.bias"] = sd["patch_embed.proj.bias"]
    if "reg_token" in sd:
        out[e + "register_tokens"] = sd["reg_token"]
    if dinov2:
        out[e + "mask_token"] = torch.zeros(1, D)
    names = (dict(norm1="norm1", norm2="norm2", fc1="mlp.fc1", fc2="mlp.fc2") if dinov2 else
             dict(norm1="layernorm_before", norm2="layernorm_after", fc1="intermediate.dense", fc2="output.dense"))
    for i in range(len(model.blocks)):
        b, l = "blocks.%d." % i, "%s.encoder.layer.%d." % (prefix, i)
        for t in ("weight", "bias"):
            out[l + names["norm1"] + "." + t] = sd[b + "norm1." + t]
            out[l + names["norm2"] + "." + t] = sd[b + "norm2." + t]
            out[l + names["fc1"] + "." + t] = sd[b + "mlp.fc1." + t]
            out[l + names["fc2"] + "." + t] = sd[b + "mlp.fc2." + t]
            out[l + "attention.output.dense." + t] = sd[b + "attn.proj." + t]
            for j, qkv in enumerate(("query", "key", "value")):
                out[l + "attention.attention.%s.%s" % (qkv, t)] = sd[b + "attn.qkv." + t][j * D:(j + 1) * D].contiguous()
        if dinov2:
            out[l + "layer_scale1.lambda1"] = sd[b + "ls1.gamma"]
            out[l + "layer_scale2.lambda1"] = sd[b + "ls2.gamma"]
    out[prefix + ".layernorm.weight"] = sd["norm.weight"]
    out[prefix + ".layernorm.bias"] = sd["norm.bias"]
    return out


def hf_case(name, arch, model_type, cls, prefix, seed):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    args = dict(TINY)
    torch.manual_seed(seed)
    model = timm.create_model(arch, pretrained=False, **args).eval()
    perturb(model, seed)
    dinov2 = model_type.startswith("dinov2")
    sd = hf_state(model, prefix, dinov2)
    m64 = model.double()
    g = torch.Generator().manual_seed(seed + 7)
    D, L = model.embed_dim, args["num_classes"]
    if model.no_embed_class:
        # HF's position table covers the class token too: give it a row p0
        # and store cls − p0, so that HF's cls + p0 is timm's class token.
        p0 = (0.5 * torch.randn(1, 1, D, generator=g)).float()
        cls_hf = (sd[prefix + ".embeddings.cls_token"] - p0).float()
        sd[prefix + ".embeddings.cls_token"] = cls_hf
        sd[prefix + ".embeddings.position_embeddings"] = torch.cat([p0, sd[prefix + ".embeddings.position_embeddings"]], 1)
        with torch.no_grad():
            m64.cls_token.copy_(cls_hf.double() + p0.double())
    if dinov2:
        w = (torch.randn(L, 2 * D, generator=g) / (2 * D) ** 0.5).float()
        bias = (0.5 * torch.randn(L, generator=g)).float()
    else:
        w, bias = model.head.weight.detach().float(), model.head.bias.detach().float()
    sd["classifier.weight"], sd["classifier.bias"] = w, bias
    write_safetensors(os.path.join(d, "model.safetensors"), sd, {"format": "pt"})
    cfg = {"model_type": model_type, "architectures": [cls], "hidden_size": D, "num_hidden_layers": args["depth"],
           "num_attention_heads": args["num_heads"], "hidden_act": "gelu", "image_size": args["img_size"],
           "patch_size": args["patch_size"], "num_channels": 3, "qkv_bias": True,
           "id2label": {str(i): "%s %d" % (model_type, i) for i in range(L)}}
    if dinov2:
        cfg.update(mlp_ratio=args["mlp_ratio"], layer_norm_eps=1e-6, layerscale_value=1.0, use_swiglu_ffn=False)
        if model_type == "dinov2_with_registers":
            cfg["num_register_tokens"] = model.num_reg_tokens
    else:
        cfg["intermediate_size"] = int(D * args["mlp_ratio"])  # layer_norm_eps: ViTMSNConfig's 1e-6
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    n = args["img_size"] // args["patch_size"]
    pixels = torch.randn(2, 3, n * args["patch_size"], n * args["patch_size"], generator=g, dtype=torch.float64)
    hidden, _, _ = forward(m64, pixels)
    with torch.no_grad():
        x = m64.forward_features(pixels)  # final-normed tokens
        if dinov2:
            emb = torch.cat([x[:, 0], x[:, model.num_prefix_tokens:].mean(1)], 1)
        else:
            emb = x[:, 0]
        logits = emb @ w.double().T + bias.double()
    t = {"pixels": pixels.float(), "logits": logits.float()}
    for i, h in enumerate(hidden):
        t["hidden.%d" % i] = h.float()
    write_safetensors(os.path.join(d, "golden.safetensors"), t)
    write_safetensors(os.path.join(d, "embed.safetensors"), {"embedding": emb.float()})
    if dinov2:
        # A 3×5 grid, as transformers' Dinov2 interpolate_pos_encoding
        # resizes the table: the class row kept, the patch rows by
        # F.interpolate(size=(3, 5), mode="bicubic", align_corners=False).
        gh, gw = 3, 5
        table = sd[prefix + ".embeddings.position_embeddings"].double()  # [1, 1 + n², D]
        patch = table[:, 1:].reshape(1, n, n, D).permute(0, 3, 1, 2)
        patch = torch.nn.functional.interpolate(patch, size=(gh, gw), mode="bicubic", align_corners=False)
        patch = patch.permute(0, 2, 3, 1).reshape(1, gh * gw, D)
        with torch.no_grad():
            if model.no_embed_class:  # the class row is in m64's class token already
                m64.pos_embed = torch.nn.Parameter(patch)
            else:
                m64.pos_embed = torch.nn.Parameter(torch.cat([table[:, :1], patch], 1))
        m64.patch_embed.strict_img_size = False
        m64.dynamic_img_size = True
        m64.patch_embed.flatten = False
        m64.patch_embed.output_fmt = timm.layers.Format.NHWC
        m64.patch_embed.grid_size = (gh, gw)  # timm then takes the table as it is
        pixels = torch.randn(1, 3, gh * args["patch_size"], gw * args["patch_size"], generator=g, dtype=torch.float64)
        hidden, _, _ = forward(m64, pixels)
        with torch.no_grad():
            x = m64.forward_features(pixels)
            emb = torch.cat([x[:, 0], x[:, model.num_prefix_tokens:].mean(1)], 1)
            logits = emb @ w.double().T + bias.double()
        t = {"pixels": pixels.float(), "logits": logits.float()}
        for i, h in enumerate(hidden):
            t["hidden.%d" % i] = h.float()
        write_safetensors(os.path.join(d, "golden_3x5.safetensors"), t)
    print(name, arch, model_type)


# BEiT in transformers' layout (convert_beit_unilm_to_pytorch.py names),
# from timm's Beit: name → (model_type, HF class, prefix, extra model_args).
HF_BEIT_CASES = {
    # Per-layer relative position bias, mean pooling with the pooler's
    # LayerNorm, layer scale; with the int64 relative_position_index
    # buffers older checkpoints carry.
    "hf-beit": ("beit", "BeitForImageClassification", "beit", {}),
    # One shared relative position bias, absolute position embeddings,
    # class token with the final LayerNorm (use_mean_pooling false).
    "hf-data2vec": ("data2vec-vision", "Data2VecVisionForImageClassification", "data2vec_vision",
                    dict(use_rel_pos_bias=False, use_shared_rel_pos_bias=True, use_abs_pos_emb=True,
                         global_pool="token")),
}


def hf_beit_case(name, model_type, cls, prefix, extra, seed):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    args = dict(TINY, **extra)
    torch.manual_seed(seed)
    model = timm.create_model("beitv2_base_patch16_224", pretrained=False, **args).eval()
    perturb(model, seed)
    sd = {k: v.float() for k, v in model.state_dict().items()}
    D, L = model.embed_dim, args["num_classes"]
    mean_pool = args.get("global_pool", "avg") == "avg"
    e, out = prefix + ".embeddings.", {}
    out[e + "cls_token"] = sd["cls_token"]
    if "pos_embed" in sd:
        out[e + "position_embeddings"] = sd["pos_embed"]
    out[e + "patch_embeddings.projection.weight"] = sd["patch_embed.proj.weight"]
    out[e + "patch_embeddings.projection.bias"] = sd["patch_embed.proj.bias"]
    n = args["img_size"] // args["patch_size"]
    from timm.models.beit import gen_relative_position_index
    index = gen_relative_position_index((n, n)).numpy().astype("int64")
    if "rel_pos_bias.relative_position_bias_table" in sd:
        out[prefix + ".encoder.relative_position_bias.relative_position_bias_table"] = sd["rel_pos_bias.relative_position_bias_table"]
    for i in range(len(model.blocks)):
        b, l = "blocks.%d." % i, "%s.encoder.layer.%d." % (prefix, i)
        a = l + "attention.attention."
        for j, qkv in enumerate(("query", "key", "value")):
            out[a + qkv + ".weight"] = sd[b + "attn.qkv.weight"][j * D:(j + 1) * D].contiguous()
        out[a + "query.bias"] = sd[b + "attn.q_bias"]
        out[a + "value.bias"] = sd[b + "attn.v_bias"]
        if b + "attn.relative_position_bias_table" in sd:
            out[a + "relative_position_bias.relative_position_bias_table"] = sd[b + "attn.relative_position_bias_table"]
            out[a + "relative_position_bias.relative_position_index"] = index
        for t in ("weight", "bias"):
            out[l + "attention.output.dense." + t] = sd[b + "attn.proj." + t]
            out[l + "layernorm_before." + t] = sd[b + "norm1." + t]
            out[l + "layernorm_after." + t] = sd[b + "norm2." + t]
            out[l + "intermediate.dense." + t] = sd[b + "mlp.fc1." + t]
            out[l + "output.dense." + t] = sd[b + "mlp.fc2." + t]
        out[l + "lambda_1"] = sd[b + "gamma_1"]
        out[l + "lambda_2"] = sd[b + "gamma_2"]
    for t in ("weight", "bias"):
        if mean_pool:
            out[prefix + ".pooler.layernorm." + t] = sd["fc_norm." + t]
        else:
            out[prefix + ".layernorm." + t] = sd["norm." + t]
        out["classifier." + t] = sd["head." + t]
    write_safetensors(os.path.join(d, "model.safetensors"), out, {"format": "pt"})
    cfg = {"model_type": model_type, "architectures": [cls], "hidden_size": D, "num_hidden_layers": args["depth"],
           "num_attention_heads": args["num_heads"], "intermediate_size": int(D * args["mlp_ratio"]),
           "hidden_act": "gelu", "layer_norm_eps": 1e-6, "image_size": args["img_size"],
           "patch_size": args["patch_size"], "num_channels": 3, "layer_scale_init_value": 0.1,
           "use_absolute_position_embeddings": "pos_embed" in sd,
           "use_relative_position_bias": not extra.get("use_shared_rel_pos_bias", False),
           "use_shared_relative_position_bias": extra.get("use_shared_rel_pos_bias", False),
           "use_mean_pooling": mean_pool,
           "id2label": {str(i): "%s %d" % (model_type, i) for i in range(L)}}
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    m64 = model.double()
    g = torch.Generator().manual_seed(seed + 7)
    pixels = torch.randn(2, 3, args["img_size"], args["img_size"], generator=g, dtype=torch.float64)
    hidden, emb, logits = forward(m64, pixels)
    t = {"pixels": pixels.float(), "logits": logits.float()}
    for i, h in enumerate(hidden):
        t["hidden.%d" % i] = h.float()
    write_safetensors(os.path.join(d, "golden.safetensors"), t)
    write_safetensors(os.path.join(d, "embed.safetensors"), {"embedding": emb.float()})
    print(name, model_type)


def main():
    names = sys.argv[1:] or list(CASES) + list(HF_CASES) + list(HF_BEIT_CASES)
    for i, name in enumerate(CASES):
        if name in names:
            arch, extra, grids = CASES[name]
            case(name, arch, extra, grids, 100 + i)
    for i, name in enumerate(HF_CASES):
        if name in names:
            hf_case(name, *HF_CASES[name], 200 + i)
    for i, name in enumerate(HF_BEIT_CASES):
        if name in names:
            hf_beit_case(name, *HF_BEIT_CASES[name], 300 + i)


if __name__ == "__main__":
    main()
