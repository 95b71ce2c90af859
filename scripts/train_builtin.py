#!/usr/bin/python3
"""Train vit's built-in model: a small ViT on Fashion-MNIST, written in the
Hugging Face ViTForImageClassification layout (config.json,
preprocessor_config.json, model.safetensors).

Data: Debian's dataset-fashion-mnist package (/usr/share/datasets/fashion-mnist,
IDX files). Needs Debian's python3-torch (run with /usr/bin/python3).

The model is a plain pre-norm ViT whose math is identical to HF's ViT
(patch-embedding conv, class token, learned position embeddings, LN ->
multi-head self-attention -> residual, LN -> MLP with exact erf GELU ->
residual, final LN, linear head on the class token). Parameter names are
mapped 1:1 onto HF's keys when written.

Reproduce the shipped model (2 CPU cores): a 23-epoch run, then two clean
fine-tuning epochs with --init; models/fashion-vit/README.md lists the exact
commands.

Other modes:
    --verify DIR       reload DIR/model.safetensors and report test accuracy
    --examples DIR     write example images into DIR/examples and classify them
"""

import argparse
import gzip
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from safetensors_io import read_safetensors, write_safetensors

DATA = "/usr/share/datasets/fashion-mnist"
LABELS = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
          "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
MEAN, STD = 0.5, 0.5  # pixel = (v/255 - MEAN) / STD, as in preprocessor_config.json
LN_EPS = 1e-12        # HF ViT default; written to config.json


# ---------------------------------------------------------------- data

def read_idx(path):
    """Reads an IDX file (optionally gzipped) into a numpy array."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    return arr.reshape(dims)


def load_split(split):
    prefix = "train" if split == "train" else "t10k"
    x = read_idx(os.path.join(DATA, f"{prefix}-images-idx3-ubyte.gz"))
    y = read_idx(os.path.join(DATA, f"{prefix}-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(x.copy()).unsqueeze(1)  # [N,1,28,28] uint8
    y = torch.from_numpy(y.astype(np.int64))     # [N]
    return x, y


def normalize(x01):
    return (x01 - MEAN) / STD


# ---------------------------------------------------------------- augmentation
# Batched on tensors in [0,1], light object on black (the dataset's polarity).

def augment(x, g, erase=0.0, p=1.0, inv=0.15):
    """x: [B,1,H,W] float in [0,1]. g: torch.Generator. Returns augmented x.

    Each image is flipped at random; a fraction p of the images also gets the
    geometric and photometric changes (the rest stay clean, as the test set
    is); polarity inversion (probability inv) is drawn for every image.
    """
    b = x.shape[0]
    dev = x.device
    am = (torch.rand(b, generator=g) < p).float()  # [B] 1: augment this image

    def U(lo, hi, n=b):
        return lo + (hi - lo) * torch.rand(n, generator=g)

    # Geometry: flip, rotation, zoom (object smaller or larger), aspect, shift.
    flip = torch.where(torch.rand(b, generator=g) < 0.5, -1.0, 1.0)
    ang = U(-8, 8) * math.pi / 180 * am
    s = 1 + (U(0.8, 1.12) - 1) * am    # >1 enlarges the object
    asp = torch.exp(U(-0.12, 0.12) * am)
    sx, sy = s * asp, s / asp
    tx, ty = U(-0.22, 0.22) * am, U(-0.22, 0.22) * am  # ~3 px of 14
    cos, sin = torch.cos(ang), torch.sin(ang)
    theta = torch.zeros(b, 2, 3)
    # output coords -> input coords: inverse of scale, then rotation
    theta[:, 0, 0] = cos / sx * flip
    theta[:, 0, 1] = -sin / sx
    theta[:, 1, 0] = sin / sy * flip
    theta[:, 1, 1] = cos / sy
    theta[:, 0, 2] = tx
    theta[:, 1, 2] = ty
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros",
                      align_corners=False)

    # Photometric, on a quarter of the images: contrast, gamma.
    pm = am.view(b, 1, 1, 1) * (torch.rand(b, generator=g) < 0.25).float().view(b, 1, 1, 1)
    c = U(0.55, 1.15).view(b, 1, 1, 1)
    gam = torch.exp(U(-0.4, 0.4)).view(b, 1, 1, 1)
    xp = (x.clamp(0, 1) ** gam * c).clamp(0, 1)
    x = pm * xp + (1 - pm) * x

    # Mild blur on some images (soft photos).
    bm = am.view(b, 1, 1, 1) * (torch.rand(b, generator=g) < 0.05).float().view(b, 1, 1, 1)
    k = torch.tensor([[1., 2., 1.], [2., 4., 2.], [1., 2., 1.]]) / 16
    xb = F.conv2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), k.view(1, 1, 3, 3))
    x = bm * xb + (1 - bm) * x

    # Inverted polarity: dark object on a light background.
    im = (torch.rand(b, generator=g) < inv).float().view(b, 1, 1, 1)
    x = im * (1 - x) + (1 - im) * x

    # Background / dynamic range: map [0,1] to [lo,hi] on 15% of images.
    rm = am.view(b, 1, 1, 1) * (torch.rand(b, generator=g) < 0.15).float().view(b, 1, 1, 1)
    lo = U(0.0, 0.25).view(b, 1, 1, 1)
    hi = U(0.75, 1.0).view(b, 1, 1, 1)
    x = rm * (lo + (hi - lo) * x) + (1 - rm) * x

    # Sensor noise on some images.
    nm = am.view(b, 1, 1, 1) * (torch.rand(b, generator=g) < 0.1).float().view(b, 1, 1, 1)
    sig = U(0.0, 0.06).view(b, 1, 1, 1)
    x = x + nm * sig * torch.randn(x.shape, generator=g)

    # Random erasing (one rectangle, random gray level), off by default.
    H, W = x.shape[2], x.shape[3]
    em = torch.rand(b, generator=g) < erase
    eh = (U(0.15, 0.4) * H).long()
    ew = (U(0.15, 0.4) * W).long()
    ey = (torch.rand(b, generator=g) * (H - eh + 1).float()).long()
    ex = (torch.rand(b, generator=g) * (W - ew + 1).float()).long()
    ev = torch.rand(b, generator=g)
    yy = torch.arange(H).view(1, H, 1)
    xx = torch.arange(W).view(1, 1, W)
    rect = ((yy >= ey.view(b, 1, 1)) & (yy < (ey + eh).view(b, 1, 1)) &
            (xx >= ex.view(b, 1, 1)) & (xx < (ex + ew).view(b, 1, 1)) &
            em.view(b, 1, 1)).unsqueeze(1).float()
    x = rect * ev.view(b, 1, 1, 1) + (1 - rect) * x

    # Quantize like an 8-bit image file.
    x = torch.round(x.clamp(0, 1) * 255) / 255
    return x.to(dev)


# ---------------------------------------------------------------- model

class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.h = heads
        self.query = nn.Linear(d, d)
        self.key = nn.Linear(d, d)
        self.value = nn.Linear(d, d)
        self.dense = nn.Linear(d, d)  # HF: attention.output.dense

    def forward(self, x):  # x [B,T,D]
        b, t, d = x.shape
        dh = d // self.h
        q = self.query(x).view(b, t, self.h, dh).transpose(1, 2)  # [B,H,T,dh]
        k = self.key(x).view(b, t, self.h, dh).transpose(1, 2)
        v = self.value(x).view(b, t, self.h, dh).transpose(1, 2)
        a = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(dh)   # [B,H,T,T]
        a = a.softmax(dim=-1)
        o = torch.matmul(a, v).transpose(1, 2).reshape(b, t, d)    # [B,T,D]
        return self.dense(o)


class Block(nn.Module):
    def __init__(self, d, heads, mlp, drop_path):
        super().__init__()
        self.layernorm_before = nn.LayerNorm(d, eps=LN_EPS)
        self.attn = Attention(d, heads)
        self.layernorm_after = nn.LayerNorm(d, eps=LN_EPS)
        self.intermediate = nn.Linear(d, mlp)
        self.output = nn.Linear(mlp, d)
        self.drop_path = drop_path

    def _dp(self, y):
        if not self.training or self.drop_path == 0:
            return y
        keep = 1 - self.drop_path
        m = torch.rand(y.shape[0], 1, 1) < keep
        return y * m.float() / keep

    def forward(self, x):
        x = x + self._dp(self.attn(self.layernorm_before(x)))
        h = F.gelu(self.intermediate(self.layernorm_after(x)))  # exact erf GELU
        return x + self._dp(self.output(h))


class ViT(nn.Module):
    def __init__(self, image=28, patch=4, chans=1, d=96, depth=6, heads=3,
                 mlp=384, classes=10, drop_path=0.0):
        super().__init__()
        self.cfg = dict(image=image, patch=patch, chans=chans, d=d, depth=depth,
                        heads=heads, mlp=mlp, classes=classes)
        n = (image // patch) ** 2
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d))
        self.position_embeddings = nn.Parameter(torch.zeros(1, n + 1, d))
        self.projection = nn.Conv2d(chans, d, patch, stride=patch)
        self.layers = nn.ModuleList(
            Block(d, heads, mlp, drop_path * i / max(1, depth - 1)) for i in range(depth))
        self.layernorm = nn.LayerNorm(d, eps=LN_EPS)
        self.classifier = nn.Linear(d, classes)
        self._init()

    def _init(self):
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Conv2d)):
                nn.init.trunc_normal_(m.weight, std=0.02)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.LayerNorm):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
        nn.init.trunc_normal_(self.cls_token, std=0.02)
        nn.init.trunc_normal_(self.position_embeddings, std=0.02)

    def forward(self, x):  # x [B,C,H,W] normalized
        x = self.projection(x).flatten(2).transpose(1, 2)  # [B,N,D]
        cls = self.cls_token.expand(x.shape[0], -1, -1)
        x = torch.cat([cls, x], dim=1) + self.position_embeddings  # [B,N+1,D]
        for blk in self.layers:
            x = blk(x)
        x = self.layernorm(x)
        return self.classifier(x[:, 0])  # [B,classes]


BLOCK_KEYS = {  # Block submodule -> HF ViTLayer submodule
    "layernorm_before": "layernorm_before",
    "attn.query": "attention.attention.query",
    "attn.key": "attention.attention.key",
    "attn.value": "attention.attention.value",
    "attn.dense": "attention.output.dense",
    "layernorm_after": "layernorm_after",
    "intermediate": "intermediate.dense",
    "output": "output.dense",
}


def hf_state(model):
    """Maps the model's parameters to HF ViTForImageClassification keys."""
    out = {}
    for name, t in model.state_dict().items():
        k = name
        if k == "cls_token":
            k = "vit.embeddings.cls_token"
        elif k == "position_embeddings":
            k = "vit.embeddings.position_embeddings"
        elif k.startswith("projection."):
            k = "vit.embeddings.patch_embeddings." + k
        elif k.startswith("layers."):
            parts = k.split(".")
            i, mod, leaf = parts[1], ".".join(parts[2:-1]), parts[-1]
            k = f"vit.encoder.layer.{i}.{BLOCK_KEYS[mod]}.{leaf}"
        elif k.startswith("layernorm."):
            k = "vit." + k
        out[k] = t.detach().float().contiguous().cpu()
    return out


def from_hf_state(model, sd):
    mine = hf_state(model)
    inv = {}
    names = list(model.state_dict().keys())
    for own, hf in zip(names, mine.keys()):
        inv[hf] = own
    if set(sd.keys()) != set(inv.keys()):
        raise ValueError(f"key mismatch: {sorted(set(sd) ^ set(inv))}")
    model.load_state_dict({inv[k]: v for k, v in sd.items()})


# ---------------------------------------------------------------- safetensors

def torch_tensors(arrays):
    return {k: torch.from_numpy(v) for k, v in arrays.items()}


def write_hf(model, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    c = model.cfg
    config = {
        "architectures": ["ViTForImageClassification"],
        "model_type": "vit",
        "hidden_size": c["d"],
        "num_hidden_layers": c["depth"],
        "num_attention_heads": c["heads"],
        "intermediate_size": c["mlp"],
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.0,
        "attention_probs_dropout_prob": 0.0,
        "initializer_range": 0.02,
        "layer_norm_eps": LN_EPS,
        "image_size": c["image"],
        "patch_size": c["patch"],
        "num_channels": c["chans"],
        "qkv_bias": True,
        "encoder_stride": c["patch"],
        "id2label": {str(i): n for i, n in enumerate(LABELS)},
        "label2id": {n: i for i, n in enumerate(LABELS)},
        "torch_dtype": "float32",
    }
    prep = {
        "do_resize": True,
        "size": {"height": c["image"], "width": c["image"]},
        "resample": 2,
        "do_rescale": True,
        "rescale_factor": 1 / 255,
        "do_normalize": True,
        "image_mean": [MEAN] * c["chans"],
        "image_std": [STD] * c["chans"],
        "image_processor_type": "ViTImageProcessor",
    }
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    with open(os.path.join(out_dir, "preprocessor_config.json"), "w") as f:
        json.dump(prep, f, indent=2)
        f.write("\n")
    st = hf_state(model)
    write_safetensors(os.path.join(out_dir, "model.safetensors"), {k: st[k].float() for k in sorted(st)}, {"format": "pt"})


def load_hf(out_dir):
    with open(os.path.join(out_dir, "config.json")) as f:
        c = json.load(f)
    m = ViT(image=c["image_size"], patch=c["patch_size"], chans=c["num_channels"],
            d=c["hidden_size"], depth=c["num_hidden_layers"],
            heads=c["num_attention_heads"], mlp=c["intermediate_size"],
            classes=len(c["id2label"]))
    from_hf_state(m, torch_tensors(read_safetensors(os.path.join(out_dir, "model.safetensors"))))
    m.eval()
    return m


# ---------------------------------------------------------------- train / eval

@torch.no_grad()
def predict(model, x_u8, bs=500):
    """x_u8: [N,1,28,28] uint8 -> logits [N,10]."""
    model.eval()
    outs = []
    for i in range(0, x_u8.shape[0], bs):
        outs.append(model(normalize(x_u8[i:i + bs].float() / 255)))
    return torch.cat(outs)


def evaluate(model, x, y):
    return (predict(model, x).argmax(1) == y).float().mean().item()


def train(args):
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    xtr, ytr = load_split("train")
    xte, yte = load_split("test")
    model = ViT(d=args.width, depth=args.depth, heads=args.heads, mlp=args.mlp,
                drop_path=args.drop_path)
    if args.init:
        # Continue from a written model (a second, clean fine-tuning stage).
        from_hf_state(model, torch_tensors(read_safetensors(os.path.join(args.init, "model.safetensors"))))
    nparams = sum(p.numel() for p in model.parameters())
    print(f"params {nparams}", flush=True)

    decay, no_decay = [], []
    for n, p in model.named_parameters():
        (no_decay if p.ndim <= 1 or "token" in n or "position" in n else decay).append(p)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.wd},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.999))
    steps_per_epoch = xtr.shape[0] // args.batch
    total = steps_per_epoch * args.epochs
    if args.max_steps:
        total = min(total, args.max_steps)
    warm = int(args.warmup * steps_per_epoch)  # independent of the total
    sched = {"total": total}

    def lr_at(step):
        if step < warm:
            return args.lr * (step + 1) / warm
        p = min(1.0, (step - warm) / max(1, sched["total"] - warm))
        return args.min_lr + (args.lr - args.min_lr) * 0.5 * (1 + math.cos(math.pi * p))

    g = torch.Generator().manual_seed(args.seed)
    step, start_epoch, log = 0, 0, []
    ckpt = args.ckpt
    if args.resume and ckpt and os.path.exists(ckpt):
        st = torch.load(ckpt)
        model.load_state_dict(st["model"])
        opt.load_state_dict(st["opt"])
        g.set_state(st["gen"])
        torch.set_rng_state(st["torch_rng"])
        step, start_epoch, log = st["step"], st["epoch"], st["log"]
        print(f"resumed at epoch {start_epoch} step {step}", flush=True)

    t0 = time.time()
    best = max([e["test_acc"] for e in log], default=0.0)
    for epoch in range(start_epoch, args.epochs):
        model.train()
        perm = torch.randperm(xtr.shape[0], generator=g)
        te = time.time()
        tot_loss, n_seen = 0.0, 0
        for i in range(steps_per_epoch):
            if step >= sched["total"]:
                break
            idx = perm[i * args.batch:(i + 1) * args.batch]
            xb = augment(xtr[idx].float() / 255, g, p=args.aug_p, inv=args.invert)
            yb = ytr[idx]
            for pg in opt.param_groups:
                pg["lr"] = lr_at(step)
            logits = model(normalize(xb))
            loss = F.cross_entropy(logits, yb, label_smoothing=args.smoothing)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if args.clip:
                nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            opt.step()
            step += 1
            tot_loss += loss.item() * len(idx)
            n_seen += len(idx)
            if step % 50 == 0:
                el = time.time() - te
                print(f"epoch {epoch + 1} step {step}/{sched['total']} loss {tot_loss / n_seen:.4f} "
                      f"lr {lr_at(step):.2e} {el / (i + 1) * 1000:.0f} ms/step", flush=True)
        train_time = time.time() - te
        acc = evaluate(model, xte, yte)
        entry = dict(epoch=epoch + 1, step=step, train_loss=tot_loss / max(1, n_seen),
                     test_acc=acc, epoch_seconds=round(train_time, 1),
                     elapsed_seconds=round(time.time() - t0, 1))
        log.append(entry)
        print("EPOCH " + json.dumps(entry), flush=True)
        meta = dict(params=nparams, args=vars(args), log=log)
        write_hf(model, args.out)  # last
        if acc >= best and args.best_out:
            best = acc
            write_hf(model, args.best_out)
        if args.log:
            with open(args.log, "w") as f:
                json.dump(meta, f, indent=2)
                f.write("\n")
        if ckpt:
            torch.save(dict(model=model.state_dict(), opt=opt.state_dict(),
                            gen=g.get_state(), torch_rng=torch.get_rng_state(),
                            step=step, epoch=epoch + 1, log=log), ckpt)
        if step >= sched["total"]:
            break
        if args.deadline and epoch == 0:
            # Plan the schedule from the first (warmup-only) epoch's time, so
            # that the run ends by the deadline; --epochs N reproduces it.
            per = time.time() - te
            left = args.deadline - time.time()
            n = 1 + int(left / (per * args.margin))
            n = max(2, min(args.epochs, n))
            sched["total"] = steps_per_epoch * n
            args.epochs = n
            print(f"PLAN epochs {n} (epoch 1 took {per:.0f}s, {left:.0f}s left)", flush=True)
        if args.stop_after and epoch + 1 >= args.stop_after:
            print(f"STOP: --stop-after {args.stop_after}", flush=True)
            break
        if args.hard_deadline and time.time() + (time.time() - te) > args.hard_deadline:
            print("STOP: the next epoch would pass the hard deadline", flush=True)
            break
    # Verify the written file: reload and compare logits.
    m2 = load_hf(args.out)
    model.eval()
    a, b = predict(model, xte[:1000]), predict(m2, xte[:1000])
    print(f"reload max|dlogit| {float((a - b).abs().max()):.3g}", flush=True)
    print(f"final test_acc {evaluate(m2, xte, yte):.4f} (reloaded)", flush=True)


def verify(d):
    torch.set_num_threads(2)
    xte, yte = load_split("test")
    m = load_hf(d)
    print(f"{d}: test top-1 {evaluate(m, xte, yte):.4f}")
    # inverted polarity, as a rough robustness check
    print(f"{d}: inverted test top-1 {evaluate(m, 255 - xte, yte):.4f}")


def utc_today(hhmm):
    """'HH:MM' (UTC, today) -> Unix time; '' -> 0."""
    if not hhmm:
        return 0
    h, m = map(int, hhmm.split(":"))
    now = time.time()
    day = now - now % 86400
    return day + h * 3600 + m * 60


def slug(label):
    return "".join(c if c.isalnum() else "-" for c in label.lower()).strip("-")


def pil_logits(model, paths):
    """Logits for image files through the model's recipe (PIL, as vit does)."""
    from PIL import Image
    xs = []
    for p in paths:
        im = Image.open(p).convert("L").resize((28, 28), resample=Image.BILINEAR)
        a = np.asarray(im, dtype=np.float32) * np.float32(1 / 255)
        xs.append((a - np.float32(MEAN)) / np.float32(STD))
    with torch.no_grad():
        return model(torch.from_numpy(np.stack(xs)).unsqueeze(1))


def render_photo(item, rng, size=360, obj=320):
    """A 'real-style' photo of a test item: dark object on a lightly textured
    light background (like a shoe on a white table), upscaled, soft, warm
    tinted RGB. item: [28,28] uint8 (light object on black)."""
    from PIL import Image, ImageFilter
    a = Image.fromarray(item, mode="L").resize((obj, obj), Image.BICUBIC)
    a = a.filter(ImageFilter.GaussianBlur(1.2))
    a = np.asarray(a, dtype=np.float32) / 255  # [obj,obj] object coverage
    cov = np.zeros((size, size), np.float32)
    o = (size - obj) // 2
    cov[o:o + obj, o:o + obj] = a
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    light = 0.93 - 0.08 * xx - 0.05 * yy  # uneven lighting
    grain = rng.normal(0, 0.025, (size, size)).astype(np.float32)
    grain = np.asarray(Image.fromarray(((grain + 0.5) * 255).clip(0, 255).astype(np.uint8))
                       .filter(ImageFilter.GaussianBlur(1.5)), np.float32) / 255 - 0.5
    bg = light + grain * 2
    tone = bg * (1 - 0.88 * cov)  # the object darkens the table
    tone = tone + rng.normal(0, 0.012, tone.shape).astype(np.float32)  # sensor noise
    rgb = np.stack([tone * 1.0, tone * 0.97, tone * 0.91], axis=-1)
    return Image.fromarray((rgb.clip(0, 1) * 255).round().astype(np.uint8), mode="RGB")


def make_examples(d, png_classes=("Ankle boot", "Bag", "Dress", "Sneaker", "Trouser"),
                  photo_classes=("Sneaker", "Ankle boot")):
    """Writes d/examples: test images as PNG named by class, and real-style
    JPEG photos made from test items; keeps items the model gets right."""
    torch.set_num_threads(2)
    x, y = load_split("test")
    m = load_hf(d)
    probs = predict(m, x).softmax(1)
    ex = os.path.join(d, "examples")
    os.makedirs(ex, exist_ok=True)
    from PIL import Image

    def ranked(c, first=50):
        """The first `first` test items of class c, most confident first."""
        idx = [i for i in range(len(y)) if y[i] == c][:first]
        return sorted(idx, key=lambda i: -float(probs[i, c]))

    written = []
    for name in png_classes:
        c = LABELS.index(name)
        i = ranked(c)[0]
        p = os.path.join(ex, slug(name) + ".png")
        Image.fromarray(x[i, 0].numpy(), mode="L").save(p)
        written.append((p, c, i))
    rng = np.random.default_rng(0)
    for name in photo_classes:
        c = LABELS.index(name)
        for i in ranked(c):
            p = os.path.join(ex, slug(name) + "-photo.jpg")
            render_photo(x[i, 0].numpy(), rng).save(p, quality=90)
            pr = pil_logits(m, [p]).softmax(1)[0]
            if int(pr.argmax()) == c and pr[c] > 0.7:
                written.append((p, c, i))
                break
        else:
            os.remove(p)
            print(f"no {name} photo classified correctly", flush=True)
    lg = pil_logits(m, [p for p, _, _ in written]).softmax(1)
    for (p, c, i), pr in zip(written, lg):
        k = int(pr.argmax())
        print(f"{p}: test #{i} {LABELS[c]} -> {LABELS[k]} {float(pr[k]):.3f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="models/fashion-vit")
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--max-steps", type=int, default=0)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--min-lr", type=float, default=1e-5)
    ap.add_argument("--wd", type=float, default=0.05)
    ap.add_argument("--warmup", type=float, default=1.0, help="epochs")
    ap.add_argument("--smoothing", type=float, default=0.1)
    ap.add_argument("--aug-p", type=float, default=0.5,
                    help="fraction of images given the geometric and photometric changes")
    ap.add_argument("--invert", type=float, default=0.1,
                    help="fraction of images shown dark-on-light")
    ap.add_argument("--clip", type=float, default=1.0)
    ap.add_argument("--drop-path", type=float, default=0.0)
    ap.add_argument("--width", type=int, default=96)
    ap.add_argument("--depth", type=int, default=6)
    ap.add_argument("--heads", type=int, default=3)
    ap.add_argument("--mlp", type=int, default=192)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--ckpt", default="", help="torch checkpoint for --resume")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--verify", metavar="DIR")
    ap.add_argument("--examples", metavar="DIR",
                    help="write example images into DIR/examples for the model in DIR")
    ap.add_argument("--best-out", default="", help="also keep the best epoch here")
    ap.add_argument("--log", default="", help="write the per-epoch log (JSON) here")
    ap.add_argument("--deadline", default="", help="UTC HH:MM: choose --epochs after "
                    "epoch 1 so that training ends by then")
    ap.add_argument("--hard-deadline", default="", help="UTC HH:MM: stop after the "
                    "epoch that would otherwise pass it")
    ap.add_argument("--margin", type=float, default=1.3)
    ap.add_argument("--init", metavar="DIR", default="",
                    help="start from the model in DIR instead of random weights")
    ap.add_argument("--stop-after", type=int, default=0,
                    help="end after this epoch, keeping the --epochs schedule "
                    "(reproduces a run that a deadline stopped)")
    ap.add_argument("--init-only", action="store_true",
                    help="write the untrained model and exit")
    args = ap.parse_args()
    if args.verify:
        verify(args.verify)
        return
    if args.examples:
        make_examples(args.examples)
        return
    args.deadline = utc_today(args.deadline)
    args.hard_deadline = utc_today(args.hard_deadline) or args.deadline
    if args.init_only:
        torch.manual_seed(args.seed)
        write_hf(ViT(d=args.width, depth=args.depth, heads=args.heads, mlp=args.mlp),
                 args.out)
        return
    train(args)


if __name__ == "__main__":
    main()
