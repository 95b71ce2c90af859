#!/usr/bin/python3
"""Make the JPEG draft fixtures in testdata/preprocess/jpeg/.

Run with Debian's interpreter (python3-pil 9.4 on libjpeg-turbo, numpy):

    /usr/bin/python3 scripts/make_jpeg_fixtures.py

draft_*.jpg are 4:2:0, 4:4:4, gray and progressive JPEGs read with PIL's
Image.draft("RGB" or "L", size) at 1/2, 1/4 and 1/8. expected.safetensors
holds the uint8 pixels [H, W, C] of PIL's Image.open(...), draft(mode,
(W // s, H // s)) and convert("RGB") or convert("L"), as "<file>/1:<s>".
The arithmetic-coded JPEGs are in scripts/make_decode_fixtures.py.
"""

import io
import os
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


def pixels(path, draft=None):
    im = Image.open(path)
    mode = "L" if im.mode == "L" else "RGB"
    if draft:
        im.draft(mode, draft)
    a = np.asarray(im.convert(mode))
    return a[..., None] if a.ndim == 2 else a


def main():
    os.makedirs(OUT, exist_ok=True)
    big = Image.fromarray(pattern(203, 157, 302))
    files = {
        "draft_420_203x157.jpg": jpeg(big, quality=90, subsampling=2),
        "draft_444_203x157.jpg": jpeg(big, quality=90, subsampling=0),
        "draft_gray_203x157.jpg": jpeg(big.convert("L"), quality=90),
        "draft_prog_203x157.jpg": jpeg(big, quality=90, subsampling=2, progressive=True),
    }
    want = {}
    for name, data in sorted(files.items()):
        path = os.path.join(OUT, name)
        with open(path, "wb") as f:
            f.write(data)
        w, h = Image.open(path).size
        for s in (2, 4, 8):
            want["%s/1:%d" % (name, s)] = pixels(path, (w // s, h // s))
    write_safetensors(os.path.join(OUT, "expected.safetensors"),
                      {k: np.ascontiguousarray(v, dtype=np.uint8) for k, v in want.items()})


if __name__ == "__main__":
    main()
