#!/usr/bin/python3
"""Make the preprocessing fixtures in testdata/preprocess/.

Run with Debian's interpreter (it sees python3-pil 9.4, numpy and
torchvision 0.14):

    /usr/bin/python3 scripts/make_preprocess_fixtures.py

It writes small source images covering the decoder and conversion cases
(gray, gray+alpha, RGBA, paletted with transparency, 16-bit, CMYK JPEG,
every EXIF orientation, BMP/TIFF/WebP/GIF, odd sizes, extreme aspect
ratios), cases.json (each recipe's own config text) and expected.safetensors
holding, for every image and recipe, the float32 tensor [C, H, W] that the
reference pipeline produces:

  * HF recipes: ImageOps.exif_transpose, convert("RGB"/"L"), then the
    steps of transformers' ViTImageProcessor / DeiTImageProcessor
    (PIL Image.resize without reducing_gap, center_crop with floor offsets
    and zero padding, rescale in float64 then float32, normalize in
    float32), re-implemented here because transformers is not installed.
  * timm recipes: the torchvision transforms timm's transforms_imagenet_eval
    builds (Resize, CenterCrop, ResizeKeepRatio, CenterCropOrPad, ToTensor,
    Normalize), after exif_transpose and convert.

It also stores uint8 results of PIL Image.resize for every filter on a few
images ("resize/<image>/<filter>/<w>x<h>", [H, W, C]) to check resampling
bit for bit.
"""

import io
import json
import math
import os
import struct
import sys
import zlib

import numpy as np
import torch
import torchvision.transforms as T
import torchvision.transforms.functional as TF
from PIL import Image, ImageOps

from safetensors_io import write_safetensors

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata", "preprocess")
rng = np.random.RandomState(20261126)


def pattern(w, h, seed):
    """A test picture: gradients, hard edges, a disc and some noise."""
    r = np.random.RandomState(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    img = np.zeros((h, w, 3))
    img[..., 0] = 255 * x / max(w - 1, 1)
    img[..., 1] = 255 * y / max(h - 1, 1)
    img[..., 2] = 127 + 120 * np.sin(x / 3.0 + y / 5.0)
    cx, cy, rad = w * 0.6, h * 0.4, min(w, h) * 0.3
    disc = (x - cx) ** 2 + (y - cy) ** 2 < rad ** 2
    img[disc] = [250, 20, 200]
    img[(x.astype(int) // 7 + y.astype(int) // 5) % 4 == 0] *= 0.3
    img += r.normal(0, 12, img.shape)
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def png_chunk(typ, data):
    c = struct.pack(">I", len(data)) + typ + data
    return c + struct.pack(">I", zlib.crc32(typ + data) & 0xFFFFFFFF)


def write_png16(path, arr, color_type, trns=None):
    """Write a 16-bit PNG by hand (PIL cannot write 16-bit RGB)."""
    h, w = arr.shape[:2]
    raw = b"".join(b"\x00" + arr[y].astype(">u2").tobytes() for y in range(h))
    data = b"\x89PNG\r\n\x1a\n"
    data += png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, color_type, 0, 0, 0))
    if trns is not None:
        data += png_chunk(b"tRNS", trns)
    data += png_chunk(b"IDAT", zlib.compress(raw, 9))
    data += png_chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(data)


def exif_bytes(orientation, big_endian):
    """A minimal Exif TIFF structure holding only IFD0 Orientation."""
    e = ">" if big_endian else "<"
    head = (b"MM" if big_endian else b"II") + struct.pack(e + "HI", 42, 8)
    ifd = struct.pack(e + "H", 1) + struct.pack(e + "HHIHH", 0x0112, 3, 1, orientation, 0) + struct.pack(e + "I", 0)
    return head + ifd


def make_images():
    """Writes the source images; returns their file names."""
    names = []

    def save(im, name, **kw):
        im.save(os.path.join(OUT, name), **kw)
        names.append(name)

    save(Image.fromarray(pattern(97, 61, 1)), "rgb_97x61.png")
    save(Image.fromarray(pattern(19, 13, 2)), "rgb_19x13.png")  # upscaled by every recipe
    save(Image.fromarray(pattern(300, 20, 3)), "wide_300x20.png")
    save(Image.fromarray(pattern(15, 240, 4)), "tall_15x240.png")
    save(Image.fromarray(pattern(50, 70, 5)).convert("L"), "gray_50x70.png")
    la = Image.merge("LA", [Image.fromarray(pattern(40, 33, 6)).convert("L"),
                            Image.fromarray(pattern(40, 33, 7)[..., 1])])
    save(la, "gray_alpha_40x33.png")
    rgba = np.dstack([pattern(64, 48, 8), pattern(64, 48, 9)[..., 0]])
    rgba[:10, :10, 3] = 0  # fully transparent corner keeps its colour
    save(Image.fromarray(rgba, "RGBA"), "rgba_64x48.png")
    pal = Image.fromarray(pattern(45, 45, 10)).quantize(colors=37)
    save(pal, "palette_45x45.png", transparency=3)
    save(pal, "palette_45x45.gif", transparency=5)
    # A first frame smaller than the logical screen: PIL fills the screen
    # with the transparent index. PIL writes the 26x14 frame; the header is
    # patched to a 40x30 screen with the frame at (9, 7).
    b = io.BytesIO()
    Image.fromarray(pattern(26, 14, 26)).quantize(colors=16).save(b, "GIF", transparency=4)
    g = bytearray(b.getvalue())
    struct.pack_into("<HH", g, 6, 40, 30)
    d = g.index(b"\x2c", 13 + 3 * (2 << (g[10] & 7)))
    struct.pack_into("<HH", g, d + 1, 9, 7)
    with open(os.path.join(OUT, "offset_frame_40x30.gif"), "wb") as f:
        f.write(bytes(g))
    names.append("offset_frame_40x30.gif")
    g16 = (rng.rand(40, 30) * 700).astype(np.uint16)  # many values above 255
    g16[:, :10] = (g16[:, :10] // 4)  # and some below
    write_png16(os.path.join(OUT, "gray16_30x40.png"), g16, 0)
    names.append("gray16_30x40.png")
    write_png16(os.path.join(OUT, "gray16_trns_30x40.png"), g16, 0, trns=struct.pack(">H", 100))
    names.append("gray16_trns_30x40.png")
    rgb16 = pattern(33, 29, 11).astype(np.uint16) * 257 + rng.randint(0, 257, (29, 33, 3)).astype(np.uint16)
    write_png16(os.path.join(OUT, "rgb16_33x29.png"), rgb16, 2)
    names.append("rgb16_33x29.png")
    save(Image.fromarray(pattern(64, 48, 12)).convert("CMYK"), "cmyk_64x48.jpg", quality=95)
    save(Image.fromarray(pattern(120, 90, 13)), "photo_120x90.jpg", quality=90)
    save(Image.fromarray(pattern(70, 50, 14)).convert("L"), "gray_70x50.jpg", quality=90)
    save(Image.fromarray(pattern(101, 75, 20)), "odd420_101x75.jpg", quality=85, subsampling=2)
    save(Image.fromarray(pattern(77, 53, 21)), "odd422_77x53.jpg", quality=85, subsampling=1)
    save(Image.fromarray(pattern(64, 48, 22)), "full444_64x48.jpg", quality=85, subsampling=0)
    save(Image.fromarray(pattern(90, 70, 23)), "progressive_90x70.jpg", quality=85, progressive=True)
    save(Image.fromarray(pattern(1, 1, 24)), "pixel_1x1.png")
    save(Image.fromarray(pattern(96, 64, 25)), "lossy_96x64.webp", quality=80)
    base = Image.fromarray(pattern(40, 24, 15))
    for o in range(1, 9):
        save(base, "orient%d_40x24.png" % o, exif=exif_bytes(o, big_endian=o % 2 == 0))
    save(Image.fromarray(pattern(48, 36, 16)), "orient6_48x36.jpg", quality=92, exif=b"Exif\x00\x00" + exif_bytes(6, True))
    save(Image.fromarray(pattern(37, 29, 17)), "rgb_37x29.bmp")
    save(Image.fromarray(pattern(41, 27, 18)), "rgb_41x27.tif")
    save(Image.fromarray(pattern(43, 31, 19)), "rgb_43x31.webp", lossless=True)
    return names


IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]

# Each recipe: its kind and the config text the Go side parses.
RECIPES = {
    "vit": ("hf", {"image_processor_type": "ViTImageProcessor", "do_resize": True,
                   "size": {"height": 32, "width": 32}, "resample": 2, "do_rescale": True,
                   "rescale_factor": 1 / 255, "do_normalize": True,
                   "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5]}),
    "deit": ("hf", {"image_processor_type": "DeiTImageProcessor", "do_resize": True,
                    "size": {"height": 37, "width": 37}, "resample": 3, "do_center_crop": True,
                    "crop_size": {"height": 32, "width": 32}, "do_rescale": True,
                    "rescale_factor": 1 / 255, "do_normalize": True,
                    "image_mean": IMAGENET_MEAN, "image_std": IMAGENET_STD}),
    "hf_gray_lanczos": ("hf", {"image_processor_type": "ViTImageProcessor",
                               "size": {"height": 28, "width": 24}, "resample": 1,
                               "image_mean": [0.2860], "image_std": [0.3530]}),
    "hf_shortest_hamming": ("hf", {"image_processor_type": "ViTImageProcessor",
                                   "size": {"shortest_edge": 35}, "resample": 5, "do_center_crop": True,
                                   "crop_size": {"height": 30, "width": 32},
                                   "image_mean": [0.48145466, 0.4578275, 0.40821073],
                                   "image_std": [0.26862954, 0.26130258, 0.27577711]}),
    "hf_box_nearest_legacy": ("hf", {"feature_extractor_type": "ViTFeatureExtractor", "do_resize": True,
                                     "size": 29, "resample": 0, "do_normalize": True,
                                     "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5]}),
    "noresize": ("hf", {"image_processor_type": "ViTImageProcessor", "do_resize": False,
                        "do_center_crop": True, "crop_size": {"height": 33, "width": 36},
                        "image_mean": IMAGENET_MEAN, "image_std": IMAGENET_STD}),
    "timm": ("timm", {"input_size": [3, 32, 32], "interpolation": "bicubic", "crop_pct": 0.9,
                      "crop_mode": "center", "mean": IMAGENET_MEAN, "std": IMAGENET_STD}),
    "timm_squash_box": ("timm", {"input_size": [3, 30, 30], "interpolation": "box", "crop_pct": 0.95,
                                 "crop_mode": "squash", "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5]}),
    "timm_border": ("timm", {"input_size": [3, 32, 32], "interpolation": "bilinear", "crop_pct": 1.0,
                             "crop_mode": "border", "mean": IMAGENET_MEAN, "std": IMAGENET_STD}),
    "timm_nonsquare": ("timm", {"input_size": [3, 24, 32], "interpolation": "bicubic", "crop_pct": 0.875,
                                "crop_mode": "center", "mean": IMAGENET_MEAN, "std": IMAGENET_STD}),
}

PIL_FILTERS = {0: Image.NEAREST, 1: Image.LANCZOS, 2: Image.BILINEAR, 3: Image.BICUBIC,
               4: Image.BOX, 5: Image.HAMMING}
TIMM_INTERP = {"nearest": T.InterpolationMode.NEAREST, "bilinear": T.InterpolationMode.BILINEAR,
               "bicubic": T.InterpolationMode.BICUBIC, "box": T.InterpolationMode.BOX,
               "hamming": T.InterpolationMode.HAMMING, "lanczos": T.InterpolationMode.LANCZOS}


def load(path, channels):
    im = Image.open(path)
    im = ImageOps.exif_transpose(im)
    return im.convert("L" if channels == 1 else "RGB")


def hf_size(s):
    if isinstance(s, int):
        return {"height": s, "width": s}
    return s


def hf_center_crop(arr, ch, cw):
    """transformers.image_transforms.center_crop on an [H, W, C] array."""
    h, w = arr.shape[:2]
    top, left = (h - ch) // 2, (w - cw) // 2
    bottom, right = top + ch, left + cw
    if top >= 0 and bottom <= h and left >= 0 and right <= w:
        return arr[top:bottom, left:right]
    nh, nw = max(ch, h), max(cw, w)
    new = np.zeros((nh, nw) + arr.shape[2:], dtype=arr.dtype)
    tp, lp = math.ceil((nh - h) / 2), math.ceil((nw - w) / 2)
    new[tp:tp + h, lp:lp + w] = arr
    top, bottom, left, right = top + tp, bottom + tp, left + lp, right + lp
    return new[max(0, top):min(nh, bottom), max(0, left):min(nw, right)]


def run_hf(path, cfg):
    legacy = "image_processor_type" not in cfg
    mean = cfg.get("image_mean", [0.5, 0.5, 0.5])
    std = cfg.get("image_std", [0.5, 0.5, 0.5])
    channels = 1 if len(mean) == 1 else 3
    im = load(path, channels)
    if cfg.get("do_resize", True):
        size = hf_size(cfg["size"])
        if "shortest_edge" in size:
            s = size["shortest_edge"]
            w, h = im.size
            short, long = (w, h) if w <= h else (h, w)
            ns, nl = s, int(s * long / short)
            nw, nh = (ns, nl) if w <= h else (nl, ns)
        else:
            nw, nh = size["width"], size["height"]
        im = im.resize((nw, nh), PIL_FILTERS[cfg.get("resample", 2)])
    arr = np.array(im)
    if arr.ndim == 2:
        arr = arr[..., None]
    if cfg.get("do_center_crop", False):
        cs = hf_size(cfg["crop_size"])
        arr = hf_center_crop(arr, cs["height"], cs["width"])
    if cfg.get("do_rescale", True):
        arr = (arr.astype(np.float64) * cfg.get("rescale_factor", 1 / 255)).astype(np.float32)
    arr = arr.astype(np.float32)
    if cfg.get("do_normalize", True):
        arr = (arr - np.array(mean, dtype=np.float32)) / np.array(std, dtype=np.float32)
    del legacy
    return np.ascontiguousarray(arr.transpose(2, 0, 1)).astype(np.float32)


class ResizeKeepRatio:
    """timm.data.transforms.ResizeKeepRatio without the random parts."""

    def __init__(self, size, longest=0.0, interpolation="bilinear"):
        self.size, self.longest, self.interp = size, float(longest), TIMM_INTERP[interpolation]

    def __call__(self, img):
        img_h, img_w = img.size[1], img.size[0]
        th, tw = self.size
        rh, rw = img_h / th, img_w / tw
        ratio = max(rh, rw) * self.longest + min(rh, rw) * (1.0 - self.longest)
        size = [round(x * 1.0 / ratio) for x in (img_h, img_w)]
        return TF.resize(img, size, self.interp)


def center_crop_or_pad(img, size, fill):
    """timm.data.transforms.center_crop_or_pad."""
    ch, cw = size
    iw, ih = img.size
    if cw > iw or ch > ih:
        pad = [(cw - iw) // 2 if cw > iw else 0, (ch - ih) // 2 if ch > ih else 0,
               (cw - iw + 1) // 2 if cw > iw else 0, (ch - ih + 1) // 2 if ch > ih else 0]
        img = TF.pad(img, pad, fill=fill)
        iw, ih = img.size
        if cw == iw and ch == ih:
            return img
    top = int(round((ih - ch) / 2.0))
    left = int(round((iw - cw) / 2.0))
    return TF.crop(img, top, left, ch, cw)


def run_timm(path, cfg):
    c, h, w = cfg["input_size"]
    pct = cfg.get("crop_pct") or 0.875
    interp = cfg.get("interpolation", "bicubic")
    mean, std = cfg.get("mean", IMAGENET_MEAN), cfg.get("std", IMAGENET_STD)
    scale = (math.floor(h / pct), math.floor(w / pct))
    mode = cfg.get("crop_mode", "center")
    if mode == "squash":
        tfl = [T.Resize(scale, interpolation=TIMM_INTERP[interp]), T.CenterCrop((h, w))]
    elif mode == "border":
        fill = [round(255 * v) for v in mean]
        tfl = [ResizeKeepRatio(scale, longest=1.0, interpolation=interp),
               lambda im: center_crop_or_pad(im, (h, w), tuple(fill))]
    elif scale[0] == scale[1]:
        tfl = [T.Resize(scale[0], interpolation=TIMM_INTERP[interp]), T.CenterCrop((h, w))]
    else:
        tfl = [ResizeKeepRatio(scale), T.CenterCrop((h, w))]
    tfl += [T.ToTensor(), T.Normalize(mean=torch.tensor(mean), std=torch.tensor(std))]
    im = load(path, c)
    return T.Compose(tfl)(im).numpy().astype(np.float32)


RESIZE_CHECKS = {
    "rgb_97x61.png": [(23, 17), (97, 20), (40, 61), (150, 77)],
    "rgb_19x13.png": [(64, 41), (7, 5)],
    "gray_50x70.png": [(13, 29), (101, 141)],
    "wide_300x20.png": [(31, 9)],
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    names = make_images()
    tensors = {}
    for name in names:
        path = os.path.join(OUT, name)
        for rname, (kind, cfg) in RECIPES.items():
            t = run_hf(path, cfg) if kind == "hf" else run_timm(path, cfg)
            tensors["%s/%s" % (name, rname)] = t
    for name, sizes in RESIZE_CHECKS.items():
        im = Image.open(os.path.join(OUT, name)).convert("RGB")
        for w, h in sizes:
            for f, pf in PIL_FILTERS.items():
                tensors["resize/%s/%d/%dx%d" % (name, f, w, h)] = np.array(im.resize((w, h), pf))
    cases = {"images": names,
             "recipes": {k: {"kind": kind, "config": cfg} for k, (kind, cfg) in RECIPES.items()},
             "pil": Image.__version__, "torchvision": __import__("torchvision").__version__}
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump(cases, f, indent=1)
    write_safetensors(os.path.join(OUT, "expected.safetensors"), {k: tensors[k] for k in sorted(tensors)})
    with open(os.path.join(OUT, "README.md"), "w") as f:
        f.write("Preprocessing fixtures: source images, cases.json (recipe configs) and\n"
                "expected.safetensors (reference tensors from PIL %s and torchvision %s).\n"
                "Regenerate with:\n\n    /usr/bin/python3 scripts/make_preprocess_fixtures.py\n"
                % (Image.__version__, __import__("torchvision").__version__))
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print("wrote %d images, %d tensors, %d bytes to %s" % (len(names), len(tensors), total, OUT), file=sys.stderr)


if __name__ == "__main__":
    main()
