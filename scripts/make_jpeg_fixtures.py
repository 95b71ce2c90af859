#!/usr/bin/python3
"""Make the JPEG decoder fixtures in testdata/preprocess/jpeg/.

Run with Debian's interpreter (python3-pil 9.4 on libjpeg-turbo, numpy)
and libjpeg-turbo-progs (jpegtran):

    /usr/bin/python3 scripts/make_jpeg_fixtures.py

  * arith_*.jpg: arithmetic-coded JPEGs (sequential 4:2:0, progressive,
    with restart markers, gray, 4:4:4), lossless jpegtran -arithmetic
    transcodes of PIL-written files;
  * draft_*.jpg: 4:2:0, 4:4:4 and gray JPEGs read with PIL's
    Image.draft("RGB" or "L", size) at 1/2, 1/4 and 1/8.

expected.safetensors holds the uint8 pixels [H, W, C] of PIL's
Image.open(...) and convert("RGB") or convert("L"), after
draft(mode, (W // s, H // s)) for the draft files: "<arith file>" and
"<draft file>/1:<s>".
"""

import io
import os
import subprocess
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_preprocess_fixtures import pattern  # noqa: E402
from safetensors_io import write_safetensors  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata", "preprocess", "jpeg")


def jpeg(im, **kw):
    b = io.BytesIO()
    im.save(b, "JPEG", **kw)
    return b.getvalue()


def jpegtran(data, *args):
    return subprocess.run(["jpegtran"] + list(args), input=data, check=True, capture_output=True).stdout


def pixels(path, draft=None):
    im = Image.open(path)
    mode = "L" if im.mode == "L" else "RGB"
    if draft:
        im.draft(mode, draft)
    a = np.asarray(im.convert(mode))
    return a[..., None] if a.ndim == 2 else a


def main():
    os.makedirs(OUT, exist_ok=True)
    rgb = Image.fromarray(pattern(61, 43, 301))
    gray = rgb.convert("L")
    files = {
        "arith_420_61x43.jpg": jpegtran(jpeg(rgb, quality=85, subsampling=2), "-arithmetic"),
        "arith_prog_61x43.jpg": jpegtran(jpeg(rgb, quality=85, subsampling=2), "-arithmetic", "-progressive"),
        "arith_rst_61x43.jpg": jpegtran(jpeg(rgb, quality=85, subsampling=2), "-arithmetic", "-restart", "1"),
        "arith_444_61x43.jpg": jpegtran(jpeg(rgb, quality=85, subsampling=0), "-arithmetic"),
        "arith_gray_61x43.jpg": jpegtran(jpeg(gray, quality=85), "-arithmetic", "-progressive"),
    }
    big = Image.fromarray(pattern(203, 157, 302))
    files["draft_420_203x157.jpg"] = jpeg(big, quality=90, subsampling=2)
    files["draft_444_203x157.jpg"] = jpeg(big, quality=90, subsampling=0)
    files["draft_gray_203x157.jpg"] = jpeg(big.convert("L"), quality=90)
    files["draft_prog_203x157.jpg"] = jpeg(big, quality=90, subsampling=2, progressive=True)
    want = {}
    for name, data in sorted(files.items()):
        path = os.path.join(OUT, name)
        with open(path, "wb") as f:
            f.write(data)
        if name.startswith("arith_"):
            want[name] = pixels(path)
        else:
            w, h = Image.open(path).size
            for s in (2, 4, 8):
                want["%s/1:%d" % (name, s)] = pixels(path, (w // s, h // s))
    write_safetensors(os.path.join(OUT, "expected.safetensors"),
                      {k: np.ascontiguousarray(v, dtype=np.uint8) for k, v in want.items()})


if __name__ == "__main__":
    main()
