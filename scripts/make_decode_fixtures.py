#!/usr/bin/python3
"""Make the decoder fixtures in testdata/preprocess/decode/.

Run with Debian's interpreter (python3-pil 9.4, numpy):

    /usr/bin/python3 scripts/make_decode_fixtures.py

Each source image is a decoder case PIL reads in its own way (narrow and
4:4:0 JPEG chroma, PNG orientation outside eXIf, planar and premultiplied
TIFF, ...). For each, cases.json holds a recipe and expected.safetensors
the float32 tensor [C, H, W] the reference pipeline of
make_preprocess_fixtures.py produces with it: "full" keeps the whole
oriented image unresized (a center crop to its own size), so every decoded
pixel is compared.
"""

import io
import json
import os
import struct
import subprocess
import sys
import zlib

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_preprocess_fixtures import (exif_bytes, pattern, png_chunk, run_hf,  # noqa: E402
                                      write_safetensors)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata", "preprocess", "decode")


def jpeg_bytes(im, **kw):
    b = io.BytesIO()
    im.save(b, "JPEG", **kw)
    return bytearray(b.getvalue())


def sof(data):
    """Offset of the SOF0 marker segment."""
    return data.index(b"\xff\xc0")


def jpeg_440(w, h, seed):
    """A 4:4:0 JPEG (luma sampled 1x2). PIL writes only 4:4:4, 4:2:2 and
    4:2:0, so a 4:2:2 file is relabelled: its MCUs hold the same blocks (two
    luma, one Cb, one Cr), so the entropy-coded data is a valid 4:4:0 scan
    of an image with the same number of MCUs across and down."""
    mw, mh = (w + 7) // 8, (h + 15) // 16
    d = jpeg_bytes(Image.fromarray(pattern(16 * mw, 8 * mh, seed)), quality=85, subsampling=1)
    s = sof(d)
    struct.pack_into(">HH", d, s + 5, h, w)
    assert d[s + 11] == 0x21, d[s + 11]
    d[s + 11] = 0x12
    return bytes(d)


def png_with(im, chunks):
    """PNG bytes of im with extra chunks inserted before the first IDAT."""
    b = io.BytesIO()
    im.save(b, "PNG")
    d = b.getvalue()
    i = d.index(b"IDAT") - 4
    return d[:i] + b"".join(png_chunk(t, v) for t, v in chunks) + d[i:]


def raw_profile(exif):
    """ImageMagick's "Raw profile type exif" text: name, length, hex lines."""
    h = exif.hex()
    return ("\nexif\n%8d\n" % len(exif) + "\n".join(h[i:i + 72] for i in range(0, len(h), 72)) + "\n").encode()


def xmp(o, attr=True):
    inner = ('<rdf:Description tiff:Orientation="%d"/>' % o if attr
             else "<rdf:Description><tiff:Orientation>%d</tiff:Orientation></rdf:Description>" % o)
    return ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>' + inner + "</rdf:RDF></x:xmpmeta>").encode()


def itxt(key, text, compress):
    body = key + b"\0" + (b"\1\0" if compress else b"\0\0") + b"\0\0"
    return body + (zlib.compress(text) if compress else text)


def tiff_bytes(arr, planar=1, tile=None, rows=None, compression=1, extra=None, be=False, predictor=1,
               bits=None, photometric=None, colormap=None, encode=None, more_tags=(), big=False, lead=0):
    """A TIFF of the samples arr [H, W, S] (uint8 or uint16), written by
    hand: PIL writes neither planar nor premultiplied TIFFs. compression 1
    is none, 8 deflate; predictor 2 is horizontal differencing; bits < 8
    packs one-sample rows MSB first; colormap is [3·2^bits] SHORTs;
    encode, when given, turns each block's samples into its stored bytes;
    big writes BigTIFF (8-byte offsets, LONG8 strip/tile offsets); lead
    bytes before the first block make the block offsets odd when odd."""
    e = ">" if be else "<"
    h, w, s = arr.shape
    bps = bits or arr.dtype.itemsize * 8
    dt = np.dtype(e + ("u1" if bps <= 8 else "u2"))
    if arr.dtype.kind in "if" or arr.dtype.itemsize == 4:
        dt = arr.dtype.newbyteorder(e)

    def enc(a):
        if encode:
            return encode(a)
        if bps < 8:
            raw = b"".join(pack_bits(r, bps) for r in a[:, :, 0])
            return zlib.compress(raw) if compression == 8 else raw
        if predictor == 2:
            a = a.astype(np.int64)
            a[:, 1:] = a[:, 1:] - a[:, :-1]
            a %= 1 << bps
        raw = np.ascontiguousarray(a).astype(dt).tobytes()
        return zlib.compress(raw) if compression == 8 else raw

    blocks = []
    for pl in ([arr[:, :, p:p + 1] for p in range(s)] if planar == 2 else [arr]):
        if tile:
            tw, th = tile
            for ty in range(0, h, th):
                for tx in range(0, w, tw):
                    t = np.zeros((th, tw, pl.shape[2]), arr.dtype)
                    sub = pl[ty:ty + th, tx:tx + tw]
                    t[:sub.shape[0], :sub.shape[1]] = sub
                    blocks.append(enc(t))
        else:
            for y in range(0, h, rows or h):
                blocks.append(enc(pl[y:y + (rows or h)]))
    head = 16 if big else 8
    data, offs = b"\0" * lead, []
    for b in blocks:
        offs.append(head + len(data))
        data += b + b"\0" * (len(b) % 2)
    tags = [(256, 3, [w]), (257, 3, [h]), (258, 3, [bps] * s), (259, 3, [compression]),
            (262, 3, [photometric if photometric is not None else 2 if s >= 3 else 1]), (277, 3, [s]),
            (284, 3, [planar])]
    if colormap is not None:
        tags.append((320, 3, colormap))
    tags += list(more_tags)
    lt = 16 if big else 4  # LONG8 or LONG
    if tile:
        tags += [(322, 3, [tile[0]]), (323, 3, [tile[1]]), (324, lt, offs), (325, lt, [len(b) for b in blocks])]
    else:
        tags += [(273, lt, offs), (278, 3, [rows or h]), (279, lt, [len(b) for b in blocks])]
    if predictor != 1:
        tags.append((317, 3, [predictor]))
    if extra is not None:
        tags.append((338, 3, extra))
    tags.sort()
    ifd_off = head + len(data)
    if big:
        ext_off = ifd_off + 8 + 20 * len(tags) + 8
        ifd, ext = struct.pack(e + "Q", len(tags)), b""
        for tag, typ, vals in tags:
            payload = b"".join(struct.pack(e + {3: "H", 4: "I", 16: "Q"}[typ], v) for v in vals)
            if len(payload) <= 8:
                ifd += struct.pack(e + "HHQ", tag, typ, len(vals)) + payload.ljust(8, b"\0")
            else:
                ifd += struct.pack(e + "HHQQ", tag, typ, len(vals), ext_off + len(ext))
                ext += payload
        ifd += struct.pack(e + "Q", 0)
        return (b"MM\x00+" if be else b"II+\x00") + struct.pack(e + "HHQ", 8, 0, ifd_off) + data + ifd + ext
    ext_off = ifd_off + 2 + 12 * len(tags) + 4
    ifd, ext = struct.pack(e + "H", len(tags)), b""
    for tag, typ, vals in tags:
        if typ == 5:  # RATIONAL: (numerator, denominator) pairs
            payload = b"".join(struct.pack(e + "II", *v) for v in vals)
        else:
            payload = b"".join(struct.pack(e + ("H" if typ == 3 else "I"), v) for v in vals)
        if len(payload) <= 4:
            ifd += struct.pack(e + "HHI", tag, typ, len(vals)) + payload.ljust(4, b"\0")
        else:
            ifd += struct.pack(e + "HHII", tag, typ, len(vals), ext_off + len(ext))
            ext += payload
    ifd += struct.pack(e + "I", 0)
    return (b"MM\x00*" if be else b"II*\x00") + struct.pack(e + "I", ifd_off) + data + ifd + ext


# 16-bit CMYK samples: high bytes from one pattern, low from another.
CMYK16 = (pattern(23, 11, 233).astype(np.uint16)[..., :3].repeat(2, axis=2)[..., :4] * 256
          + pattern(23, 11, 234).astype(np.uint16)[..., :3].repeat(2, axis=2)[..., :4])


def ycbcr_units(a, hs, vs):
    """The data units of YCbCr samples a [H, W, 3]: for each hs×vs block,
    row by row, its luma samples (edge pixels repeated past the block
    edge) then the block's mean Cb and Cr."""
    h, w, _ = a.shape
    H, W = -(-h // vs) * vs, -(-w // hs) * hs
    p = np.pad(a, ((0, H - h), (0, W - w), (0, 0)), mode="edge").astype(np.int64)
    out = bytearray()
    for by in range(0, H, vs):
        for bx in range(0, W, hs):
            blk = p[by:by + vs, bx:bx + hs]
            out += bytes(blk[:, :, 0].ravel().tolist())
            out += bytes(int(round(blk[:, :, c].mean())) for c in (1, 2))
    return bytes(out)


def jpegtran(jb, *args):
    """jb recoded losslessly by libjpeg-turbo's jpegtran with args (PIL
    cannot write arithmetic coding)."""
    return subprocess.run(["jpegtran"] + list(args), input=jb, capture_output=True, check=True).stdout


def ojpeg_tiff(rgb, subsampling, split, photometric=6):
    """An old-style JPEG (Compression 6) TIFF of rgb [H, W, 3] in one strip:
    the strip is PIL's whole JPEG stream and JPEGInterchangeFormat points
    at it, or (split) the strip is the entropy-coded data and
    JPEGInterchangeFormat points at the headers, stored after the IFD."""
    jb = bytes(jpeg_bytes(Image.fromarray(rgb), quality=90, subsampling=subsampling))
    hs, vs = {0: (1, 1), 1: (2, 1), 2: (2, 2)}[subsampling]
    i = jb.index(b"\xff\xda")
    sos = i + 2 + (jb[i + 2] << 8 | jb[i + 3])
    strip, head = (jb[sos:], jb[:sos]) if split else (jb, b"")

    def build(jif):
        return tiff_bytes(rgb, compression=6, photometric=photometric, encode=lambda a: strip,
                          more_tags=[(512, 3, [1]), (513, 4, [jif]), (514, 4, [len(head or jb)]),
                                     (530, 3, [hs, vs])])
    if not split:
        return build(8)
    return build(len(build(0))) + head


def jpeg_parts(jb):
    """The quantization tables {id: 64 bytes}, Huffman tables {class<<4|id:
    counts and values} and entropy-coded data (after SOS) of a baseline
    JPEG."""
    i, q, huff = 2, {}, {}
    while True:
        m, n = jb[i + 1], jb[i + 2] << 8 | jb[i + 3]
        seg = jb[i + 4:i + 2 + n]
        k = 0
        while m == 0xdb and k < len(seg):
            q[seg[k] & 15] = seg[k + 1:k + 65]
            k += 65
        while m == 0xc4 and k < len(seg):
            nv = sum(seg[k + 1:k + 17])
            huff[seg[k]] = seg[k + 1:k + 17 + nv]
            k += 17 + nv
        if m == 0xda:
            return q, huff, jb[i + 2 + n:]
        i += 2 + n


def ojpeg_tables_tiff(rgb, restart_rows=0):
    """An old-style JPEG TIFF without JPEGInterchangeFormat: the tables in
    JPEGQTables, JPEGDCTables and JPEGACTables (stored after the IFD), the
    entropy-coded data of a 4:2:0 JPEG in the strip. With restart_rows the
    JPEG (made by cjpeg, as PIL cannot write restart markers) restarts every
    MCU row, and each interval is its own strip of 16·restart_rows rows
    without its RST marker, which libtiff puts back."""
    h, w, _ = rgb.shape
    if restart_rows:
        ppm = b"P6 %d %d 255\n" % (w, h) + rgb.astype(np.uint8).tobytes()
        jb = subprocess.run(["cjpeg", "-quality", "90", "-sample", "2x2", "-restart", str(restart_rows)],
                            input=ppm, capture_output=True, check=True).stdout
    else:
        jb = bytes(jpeg_bytes(Image.fromarray(rgb), quality=90, subsampling=2))
    q, huff, ent = jpeg_parts(jb)
    ent = ent[:ent.rindex(b"\xff\xd9")]
    strips = [ent]
    if restart_rows:
        strips, cur = [], b""
        i = 0
        while i < len(ent):
            if ent[i] == 0xff and 0xd0 <= ent[i + 1] <= 0xd7:
                strips.append(cur)
                cur, i = b"", i + 2
                continue
            cur += ent[i:i + 1]
            i += 1
        strips.append(cur)

    def build(base):
        blob, offs = b"", {}
        for name, data in [("q0", q[0]), ("q1", q[1]), ("dc0", huff[0x00]), ("dc1", huff[0x01]),
                           ("ac0", huff[0x10]), ("ac1", huff[0x11])]:
            offs[name] = base + len(blob)
            blob += data + b"\0" * (len(data) % 2)
        it = iter(strips)
        tags = [(512, 3, [1]), (519, 4, [offs["q0"], offs["q1"], offs["q1"]]),
                (520, 4, [offs["dc0"], offs["dc1"], offs["dc1"]]),
                (521, 4, [offs["ac0"], offs["ac1"], offs["ac1"]]), (530, 3, [2, 2])]
        if restart_rows:
            tags.append((515, 3, [-(-w // 16) * restart_rows]))
        return tiff_bytes(rgb, compression=6, photometric=6, rows=16 * restart_rows or None,
                          encode=lambda a: next(it), more_tags=tags), blob
    d, _ = build(0)
    d, blob = build(len(d))
    return d + blob


def la_jpeg(a):
    """A whole JPEG of 2 components from the grey and alpha samples a
    [H, W, 2]: the stream libtiff (through PIL) writes for them, its
    tables inline."""
    b = io.BytesIO()
    Image.merge("LA", [Image.fromarray(np.ascontiguousarray(a[..., i])) for i in (0, 1)]).save(
        b, "TIFF", compression="jpeg", quality=85)
    t = Image.open(b)
    (off,), (n,) = t.tag_v2[273], t.tag_v2[279]
    return t.tag_v2[347][:-2] + b.getvalue()[off + 2:off + n]


def ccitt_block(a, compression, info):
    """The strip libtiff (through PIL) writes for the bilevel samples a
    [H, W, 1] (0 or 255) with a TIFF compression name and tags."""
    b = io.BytesIO()
    Image.fromarray(a[:, :, 0]).convert("1").save(b, "TIFF", compression=compression, tiffinfo=info)
    im = Image.open(io.BytesIO(b.getvalue()))
    (off,), (n,) = im.tag_v2[273], im.tag_v2[279]
    return b.getvalue()[off:off + n]


def premultiplied(w, h, seed, bits):
    """[H, W, 4] associated-alpha samples: colour scaled by alpha, with
    a = 0 over non-zero colour, opaque pixels, and some colour > alpha."""
    r = np.random.RandomState(seed)
    rgb = pattern(w, h, seed).astype(np.int64)
    a = r.randint(0, 256, (h, w, 1))
    a[0, :4] = 0
    a[1, :4] = 255
    c = rgb * a // 255
    c[2, :4] = np.minimum(a[2, :4] + 40, 255)
    out = np.concatenate([c, a], axis=2)
    if bits == 16:
        return (out * 257 + r.randint(0, 257, out.shape)).clip(0, 65535).astype(np.uint16)
    return out.astype(np.uint8)


def lab_samples():
    """[32, 48, 3] CIELab samples as a TIFF stores them (L*, then a* and b*
    as signed bytes): random, with black, white and the extremes first."""
    lab = np.random.RandomState(166).randint(0, 256, (32, 48, 3)).astype(np.uint8)
    lab[0, :4] = [[0, 0, 0], [255, 0, 0], [255, 128, 128], [100, 127, 127]]
    return lab


def bmp_file(w, h, bits, pixels, header=40, compression=0, masks=None, palette=None,
             top_down=False, offset=None, colors=0):
    """A bitmap written by hand (PIL writes only a few kinds): pixels is
    the pixel data as stored; palette a list of (r, g, b); masks the
    BITFIELDS masks (3 after a 40-byte header, 4 inside a longer one)."""
    if header == 12:
        info = struct.pack("<IHHHH", 12, w, h, 1, bits)
        pal = b"".join(bytes((b, g, r)) for r, g, b in palette or [])
    else:
        info = struct.pack("<IiiHHIIiiII", header, w, -h if top_down else h, 1, bits, compression,
                           len(pixels), 2835, 2835, colors, 0)
        if masks and header > 40:
            info += struct.pack("<4I", *(list(masks) + [0] * (4 - len(masks))))
        info = info.ljust(header, b"\0")
        if masks and header == 40:
            info += struct.pack("<3I", *masks[:3])
        pal = b"".join(bytes((b, g, r, 0)) for r, g, b in palette or [])
    off = 14 + len(info) + len(pal) if offset is None else offset
    body = info + pal
    body += b"\0" * max(0, off - 14 - len(body))
    return b"BM" + struct.pack("<IHHI", 14 + len(body) + len(pixels), 0, 0, off) + body + pixels


def bmp_rows(rows, top_down=False):
    """Pixel data from rows of bytes (top first), each padded to 4 bytes."""
    order = rows if top_down else rows[::-1]
    return b"".join(r + b"\0" * (-len(r) % 4) for r in order)


def pack_bits(idx, bits):
    """A row of samples packed MSB first, padded to a byte."""
    n = len(idx) * bits
    acc = 0
    for v in idx:
        acc = acc << bits | int(v)
    acc <<= -n % 8
    return acc.to_bytes((n + 7) // 8, "big")


def rle_encode(idx, rle4):
    """RLE8/RLE4 data of index rows (top first): encoded runs for repeats,
    absolute runs (word-aligned) for the rest, end of line, end of bitmap."""
    out = bytearray()
    for row in idx[::-1]:
        x, w = 0, len(row)
        while x < w:
            if rle4:
                n = 2
                while x + n < w and n < 255 and row[x + n] == row[x + n % 2]:
                    n += 1
                n = min(n, w - x)
                if n >= 4 or x + n == w:
                    hi, lo = row[x], row[x + 1] if x + 1 < w else 0
                    out += bytes((n, hi << 4 | lo))
                    x += n
                    continue
                n = min(w - x, 6) & ~1  # PIL 9.4 drops the last pixel of odd absolute runs
                if n < 3:
                    out += bytes((n, row[x] << 4 | (row[x + 1] if n > 1 else 0)))
                    x += n
                    continue
                vals = list(row[x:x + n]) + [0]
                data = bytes(vals[i] << 4 | vals[i + 1] for i in range(0, n, 2))
                out += bytes((0, n)) + data + b"\0" * (len(data) % 2)
                x += n
            else:
                n = 1
                while x + n < w and n < 255 and row[x + n] == row[x]:
                    n += 1
                if n >= 2 or w - x < 3:
                    out += bytes((n, row[x]))
                    x += n
                    continue
                n = min(w - x, 5)
                out += bytes((0, n)) + bytes(row[x:x + n]) + b"\0" * (n % 2)
                x += n
        out += b"\0\0"
    return bytes(out + b"\0\1")


def gif_lzw(idx, bits, literal=False):
    """GIF image data (minimum code size, sub-blocks, terminator) for the
    index sequence idx, LZW-coded with any code size PIL accepts; a clear
    code restarts the table when it is full. literal emits only literal
    codes, widening as GifDecode.c does (never, for code size 1)."""
    clear, end = 1 << bits, (1 << bits) + 1
    out, acc, nacc = bytearray(), 0, 0
    width, nxt, table = bits + 1, clear + 2, {}

    def emit(c):
        nonlocal acc, nacc
        acc |= c << nacc
        nacc += width
        while nacc >= 8:
            out.append(acc & 255)
            acc >>= 8
            nacc -= 8

    emit(clear)
    if literal:
        for n, k in enumerate(int(v) for v in idx):
            emit(k)
            if n > 0 and nxt < 4096:  # the decoder's table update
                if nxt == (1 << width) - 1 and width < 12:
                    width += 1
                nxt += 1
        emit(end)
        if nacc:
            out.append(acc & 255)
        return bytes([bits]) + b"".join(bytes([len(out[i:i + 255])]) + bytes(out[i:i + 255])
                                        for i in range(0, len(out), 255)) + b"\0"
    w = None
    for k in (int(v) for v in idx):
        if w is None:
            w = k
            continue
        if (w, k) in table:
            w = table[(w, k)]
            continue
        emit(w)
        if nxt < 4096:
            table[(w, k)] = nxt
            nxt += 1
            if nxt == (1 << width) + 1 and width < 12:  # the decoder grows one code later
                width += 1
        else:
            emit(clear)
            width, nxt, table = bits + 1, clear + 2, {}
        w = k
    emit(w)
    emit(end)
    if nacc:
        out.append(acc & 255)
    blocks = b"".join(bytes([len(out[i:i + 255])]) + bytes(out[i:i + 255]) for i in range(0, len(out), 255))
    return bytes([bits]) + blocks + b"\0"


def gif_file(w, h, idx, bits, palette, literal=False):
    """A one-frame GIF of the index array idx [H, W] with a global palette."""
    gct_bits = max(1, (len(palette) - 1).bit_length())
    pal = b"".join(bytes(c) for c in palette) + b"\0" * (3 * (1 << gct_bits) - 3 * len(palette))
    hdr = b"GIF89a" + struct.pack("<HHBBB", w, h, 0x80 | (gct_bits - 1), 0, 0) + pal
    return hdr + b"\x2c" + struct.pack("<HHHHB", 0, 0, w, h, 0) + gif_lzw(idx.reshape(-1), bits, literal) + b"\x3b"


def make_images():
    """Writes the source images; returns their file names."""
    files = {}
    # JPEG chroma planes at most 2 samples wide: libjpeg-turbo replicates
    # (h2v1_upsample, h2v2_upsample) instead of its fancy upsampling; 3
    # wide is the first fancy one.
    for w, h, ss in [(1, 9, 2), (3, 11, 2), (4, 8, 2), (5, 7, 2), (2, 7, 1), (4, 6, 1), (6, 5, 1)]:
        name = "narrow%s_%dx%d.jpg" % ({1: "422", 2: "420"}[ss], w, h)
        files[name] = bytes(jpeg_bytes(Image.fromarray(pattern(w, h, 100 + w * h)), quality=90, subsampling=ss))
    files["h1v2_23x61.jpg"] = jpeg_440(23, 61, 110)
    files["h1v2_40x32.jpg"] = jpeg_440(40, 32, 111)
    # PNG orientation outside eXIf.
    base = Image.fromarray(pattern(40, 24, 120))
    mm = b"Exif\x00\x00" + exif_bytes(6, True)
    files["rawexif_text_40x24.png"] = png_with(base, [(b"tEXt", b"Raw profile type exif\0" + raw_profile(mm))])
    files["rawexif_ztxt_40x24.png"] = png_with(base, [(b"zTXt", b"Raw profile type exif\0\0" + zlib.compress(raw_profile(exif_bytes(3, False))))])
    files["xmp_attr_40x24.png"] = png_with(base, [(b"iTXt", itxt(b"XML:com.adobe.xmp", xmp(8), False))])
    files["xmp_elem_40x24.png"] = png_with(base, [(b"iTXt", itxt(b"XML:com.adobe.xmp", xmp(5, False), True))])
    # eXIf without an orientation: XMP is consulted; eXIf with one wins.
    files["exif_noorient_xmp_40x24.png"] = png_with(base, [
        (b"eXIf", exif_bytes(1, False).replace(b"\x12\x01", b"\x13\x01")),
        (b"iTXt", itxt(b"XML:com.adobe.xmp", xmp(7), False))])
    files["exif_wins_xmp_40x24.png"] = png_with(base, [
        (b"eXIf", exif_bytes(2, True)), (b"iTXt", itxt(b"XML:com.adobe.xmp", xmp(6), False))])
    # TIFF with separate planes (PlanarConfiguration 2), strips and tiles,
    # 8 and 16 bits. PIL 9.4 reads uncompressed 16-bit planes with an 8-bit
    # unpacker (garbage), so 16-bit cases are compressed (libtiff's path).
    rgb8 = pattern(21, 13, 130)
    rgb16 = rgb8.astype(np.uint16) * 257 + np.random.RandomState(131).randint(0, 257, rgb8.shape).astype(np.uint16)
    files["planar8_strips_21x13.tif"] = tiff_bytes(rgb8, planar=2, rows=5)
    files["planar8_tiles_21x13.tif"] = tiff_bytes(rgb8, planar=2, tile=(16, 16), be=True)
    files["planar8_strips_deflate_pred_21x13.tif"] = tiff_bytes(rgb8, planar=2, rows=4, compression=8, predictor=2)
    files["planar8_tiles_deflate_21x13.tif"] = tiff_bytes(rgb8, planar=2, tile=(16, 8), compression=8)
    files["planar16_strips_deflate_21x13.tif"] = tiff_bytes(rgb16, planar=2, rows=6, compression=8, be=True)
    files["planar16_tiles_deflate_21x13.tif"] = tiff_bytes(rgb16, planar=2, tile=(16, 16), compression=8)
    # BigTIFF: strips, 16-bit planar deflate tiles. (Big-endian BigTIFF,
    # which PIL 9.4 cannot open, is in SAME_AS.)
    files["bigtiff_strips_21x13.tif"] = tiff_bytes(rgb8, rows=5, big=True)
    files["bigtiff_tiles_21x13.tif"] = tiff_bytes(rgb16, planar=2, tile=(16, 16), compression=8, big=True)
    # YCbCr without JPEG compression, which PIL reads through libtiff's
    # TIFFRGBAImage: every subsampling it knows, tiles, separate planes,
    # the default subsampling (2×2, no tag), and ReferenceBlackWhite and
    # YCbCrCoefficients other than the defaults. Deflate: PIL 9.4 misreads
    # uncompressed YCbCr (see SAME_AS).
    ycc = np.asarray(Image.fromarray(pattern(21, 13, 210)).convert("YCbCr"))
    for hs, vs in [(1, 1), (2, 1), (2, 2), (4, 2), (4, 4), (1, 2), (4, 1)]:
        files["ycbcr%d%d_deflate_21x13.tif" % (hs, vs)] = tiff_bytes(
            ycc, rows=8, compression=8, photometric=6, more_tags=[(530, 3, [hs, vs])],
            encode=lambda a, hs=hs, vs=vs: zlib.compress(ycbcr_units(a, hs, vs)))
    ycc37 = np.asarray(Image.fromarray(pattern(37, 21, 211)).convert("YCbCr"))
    files["ycbcr22_tiles_deflate_37x21.tif"] = tiff_bytes(
        ycc37, tile=(16, 16), compression=8, photometric=6, more_tags=[(530, 3, [2, 2])],
        encode=lambda a: zlib.compress(ycbcr_units(a, 2, 2)))
    files["ycbcr_default_deflate_21x13.tif"] = tiff_bytes(
        ycc, rows=4, compression=8, photometric=6, encode=lambda a: zlib.compress(ycbcr_units(a, 2, 2)))
    files["ycbcr11_planar_deflate_21x13.tif"] = tiff_bytes(ycc, planar=2, rows=5, compression=8, photometric=6,
                                                          more_tags=[(530, 3, [1, 1])])
    files["ycbcr21_refbw_coef_deflate_21x13.tif"] = tiff_bytes(
        ycc, rows=8, compression=8, photometric=6,
        more_tags=[(529, 5, [(2126, 10000), (7152, 10000), (722, 10000)]), (530, 3, [2, 1]),
                   (532, 5, [(16, 1), (235, 1), (128, 1), (240, 1), (128, 1), (240, 1)])],
        encode=lambda a: zlib.compress(ycbcr_units(a, 2, 1)))
    # A CMYK JPEG without its Adobe marker, which libjpeg reads as CMYK
    # as coded (PIL: raw mode CMYK, not inverted).
    d = bytes(jpeg_bytes(Image.fromarray(pattern(23, 11, 262)).convert("CMYK"), quality=90))
    i = d.index(b"\xff\xee")
    files["cmyk_noadobe_23x11.jpg"] = d[:i] + d[i + 2 + (d[i + 2] << 8 | d[i + 3]):]
    # Chroma layouts PIL cannot write, made by cjpeg: 4:1:1 (h4v1), 1×2
    # luma (4:4:0 by another name), 4:2:2 progressive; and restart
    # markers every MCU row and every 3 MCUs.
    ppm = b"P6 53 37 255\n" + pattern(53, 37, 280).tobytes()
    for name, args in [("cjpeg411", ["-sample", "4x1"]), ("cjpeg12", ["-sample", "1x2"]),
                       ("cjpeg422_prog", ["-progressive", "-sample", "2x1"]),
                       ("cjpeg_rst_row", ["-sample", "2x2", "-restart", "1"]),
                       ("cjpeg_rst_3", ["-sample", "2x2", "-restart", "3b"])]:
        files["%s_53x37.jpg" % name] = subprocess.run(["cjpeg", "-quality", "85"] + args, input=ppm,
                                                      capture_output=True, check=True).stdout
    # Arithmetic-coded JPEG (SOF9, SOF10), which libjpeg-turbo decodes:
    # PIL's JPEGs recoded by jpegtran, sequential and progressive, with
    # and without restart intervals, 4:2:0, 4:4:4 and grey. These are the
    # arithmetic-coding fixtures of both ./jpeg and package preprocess.
    ar = Image.fromarray(pattern(37, 21, 240))
    files["arith420_37x21.jpg"] = jpegtran(bytes(jpeg_bytes(ar, quality=90)), "-arithmetic")
    files["arith444_37x21.jpg"] = jpegtran(bytes(jpeg_bytes(ar, quality=90, subsampling=0)), "-arithmetic")
    files["arith_gray_37x21.jpg"] = jpegtran(bytes(jpeg_bytes(ar.convert("L"), quality=90)), "-arithmetic")
    files["arith_gray_progressive_37x21.jpg"] = jpegtran(bytes(jpeg_bytes(ar.convert("L"), quality=90)),
                                                         "-arithmetic", "-progressive")
    files["arith_progressive_37x21.jpg"] = jpegtran(bytes(jpeg_bytes(ar, quality=90)), "-arithmetic", "-progressive")
    ar50 = Image.fromarray(pattern(37, 50, 241))
    files["arith_restart_37x50.jpg"] = jpegtran(bytes(jpeg_bytes(ar50, quality=90)), "-arithmetic", "-restart", "1")
    files["arith_progressive_restart_37x50.jpg"] = jpegtran(bytes(jpeg_bytes(ar50, quality=90)), "-arithmetic",
                                                            "-progressive", "-restart", "1")
    # WebP-compressed TIFF (libtiff's tif_webp.c: each strip a WebP file,
    # lossy by default), saved by PIL: RGB, RGBA, and RGB in 8-row strips.
    wp = pattern(37, 21, 250)
    for name, im in [("rgb", Image.fromarray(wp)),
                     ("rgba", Image.fromarray(np.dstack([wp, pattern(37, 21, 251)[..., :1]])))]:
        b = io.BytesIO()
        im.save(b, "TIFF", compression="webp")
        files["webp_%s_37x21.tif" % name] = b.getvalue()
    from PIL import TiffImagePlugin
    strip_size, TiffImagePlugin.STRIP_SIZE = TiffImagePlugin.STRIP_SIZE, 37 * 3 * 8
    b = io.BytesIO()
    Image.fromarray(wp).save(b, "TIFF", compression="webp")
    TiffImagePlugin.STRIP_SIZE = strip_size
    files["webp_strips_37x21.tif"] = b.getvalue()
    # JPEG-compressed TIFFs of four samples (CMYK, RGBA), which libtiff
    # decodes without colour conversion, saved by PIL.
    j4 = pattern(23, 11, 257)
    cm = np.asarray(Image.fromarray(j4).convert("CMYK")).copy()
    cm[..., 3] = pattern(23, 11, 258)[..., 0] // 2
    for name, im in [("cmyk", Image.fromarray(cm, "CMYK")),
                     ("rgba", Image.fromarray(np.dstack([j4, pattern(23, 11, 259)[..., :1]])))]:
        b = io.BytesIO()
        im.save(b, "TIFF", compression="jpeg")
        files["jpeg_%s_23x11.tif" % name] = b.getvalue()
    # Zstandard-compressed TIFF (libtiff's tif_zstd.c), saved by PIL:
    # RGB in one strip and in 4-row strips, 16-bit grey.
    zs = Image.fromarray(pattern(23, 11, 255))
    b = io.BytesIO()
    zs.save(b, "TIFF", compression="zstd")
    files["zstd_rgb_23x11.tif"] = b.getvalue()
    strip_size, TiffImagePlugin.STRIP_SIZE = TiffImagePlugin.STRIP_SIZE, 23 * 3 * 4
    b = io.BytesIO()
    zs.save(b, "TIFF", compression="zstd")
    TiffImagePlugin.STRIP_SIZE = strip_size
    files["zstd_strips_23x11.tif"] = b.getvalue()
    b = io.BytesIO()
    Image.fromarray(pattern(23, 11, 256)[..., 0].astype(np.uint16) * 257).save(b, "TIFF", compression="zstd")
    files["zstd_gray16_23x11.tif"] = b.getvalue()
    # LZMA-compressed TIFF (libtiff's tif_lzma.c: .xz with a delta filter
    # of a sample's bytes, then LZMA2), saved by PIL: RGB, RGB in 4-row
    # strips, 16-bit grey (delta distance 2), bilevel.
    lz = Image.fromarray(pattern(23, 11, 260))
    for name, im in [("rgb", lz), ("gray16", Image.fromarray(pattern(23, 11, 261)[..., 0].astype(np.uint16) * 257)),
                     ("bilevel", lz.convert("1"))]:
        b = io.BytesIO()
        im.save(b, "TIFF", compression="lzma")
        files["lzma_%s_23x11.tif" % name] = b.getvalue()
    strip_size, TiffImagePlugin.STRIP_SIZE = TiffImagePlugin.STRIP_SIZE, 23 * 3 * 4
    b = io.BytesIO()
    lz.save(b, "TIFF", compression="lzma")
    TiffImagePlugin.STRIP_SIZE = strip_size
    files["lzma_strips_23x11.tif"] = b.getvalue()
    # Old-style JPEG, which libtiff decodes to raw YCbCr planes and
    # converts as uncompressed YCbCr (chroma replicated, not smoothed).
    ojp = pattern(37, 21, 220)
    for sub, name in [(2, "420"), (1, "422"), (0, "444")]:
        for split in (False, True):
            files["ojpeg%s_%s_37x21.tif" % (name, "split" if split else "whole")] = ojpeg_tiff(ojp, sub, split)
    # Photometric RGB, which libtiff and PIL read as the YCbCr it is.
    files["ojpeg420_rgb_whole_37x21.tif"] = ojpeg_tiff(ojp, 2, False, photometric=2)
    files["ojpeg420_rgb_tables_37x21.tif"] = ojpeg_tables_tiff(pattern(37, 21, 221)).replace(
        b"\x06\x01\x03\x00\x01\x00\x00\x00\x06\x00", b"\x06\x01\x03\x00\x01\x00\x00\x00\x02\x00", 1)
    files["ojpeg420_tables_37x21.tif"] = ojpeg_tables_tiff(pattern(37, 21, 221))
    files["ojpeg420_tables_restart_37x50.tif"] = ojpeg_tables_tiff(pattern(37, 50, 222), restart_rows=1)
    # RGB with extra samples PIL's raw modes skip (RGBX, RGBXX, RGBAX,
    # RGBaX, 16-bit RGBX), and four samples without ExtraSamples (RGBA).
    px, xs = pattern(19, 9, 300), pattern(19, 9, 301)
    ex = premultiplied(19, 9, 302, 8)
    for name, arr, extra in [("rgbx", np.dstack([px, xs[..., :1]]), [0]), ("rgbxx", np.dstack([px, xs[..., :2]]), [0, 0]),
                             ("rgbax", np.dstack([px, xs[..., :2]]), [2, 0]), ("rgbpx", np.dstack([ex, xs[..., :1]]), [1, 0]),
                             ("rgbx16", np.dstack([px, xs[..., :1]]).astype(np.uint16) * 257 + 3, [0]),
                             ("rgba_noextra", np.dstack([px, xs[..., :1]]), None)]:
        files["%s_19x9.tif" % name] = tiff_bytes(arr, rows=4, extra=extra)
    files["rgbx_deflate_pred_19x9.tif"] = tiff_bytes(np.dstack([px, xs[..., :1]]), rows=4, extra=[0], compression=8,
                                                      predictor=2)
    files["rgbx_planar_19x9.tif"] = tiff_bytes(np.dstack([px, xs[..., :1]]), planar=2, rows=4, extra=[0])
    # A Predictor tag on PackBits or uncompressed data, which libtiff
    # (and PIL's raw reader) leave as stored: PackBits saved by PIL, which
    # writes the tag without differencing, and raw data written differenced.
    b = io.BytesIO()
    Image.fromarray(pattern(23, 11, 290)).save(b, "TIFF", compression="packbits", tiffinfo={317: 2})
    files["packbits_pred_23x11.tif"] = b.getvalue()
    files["raw_pred_23x11.tif"] = tiff_bytes(pattern(23, 11, 291), rows=4, predictor=2)
    # CMYK (PIL's cmyk2rgb on convert): saved by PIL raw and LZW, and by
    # hand with an unspecified extra sample (CMYKX) and in separate planes.
    cmyk = np.asarray(Image.fromarray(pattern(23, 11, 230)).convert("CMYK")).copy()
    cmyk[..., 3] = pattern(23, 11, 231)[..., 0] // 2  # some black ink
    for c in ("raw", "tiff_lzw"):
        b = io.BytesIO()
        Image.fromarray(cmyk, "CMYK").save(b, "TIFF", compression=c)
        files["cmyk_%s_23x11.tif" % c] = b.getvalue()
    cmykx = np.concatenate([cmyk, pattern(23, 11, 232)[..., :1]], axis=2)
    files["cmykx_23x11.tif"] = tiff_bytes(cmykx, rows=4, photometric=5, extra=[0])
    files["cmyk_planar_deflate_23x11.tif"] = tiff_bytes(cmyk, planar=2, rows=4, compression=8, photometric=5)
    files["cmyk16_23x11.tif"] = tiff_bytes(CMYK16, rows=4, photometric=5)
    # Bilevel CCITT Group 3 (1-D) and Group 4, saved by PIL (libtiff).
    bilevel = Image.fromarray(pattern(37, 21, 200)).convert("1")
    for c in ("group3", "group4"):
        b = io.BytesIO()
        bilevel.save(b, "TIFF", compression=c)
        files["ccitt_%s_37x21.tif" % c] = b.getvalue()
        b = io.BytesIO()
        bilevel.save(b, "TIFF", compression=c, tiffinfo={262: 0})  # WhiteIsZero, as faxes are
        files["ccitt_%s_white0_37x21.tif" % c] = b.getvalue()
    # The other CCITT codings libtiff reads: Group 3 2-D (with and without
    # fill bits before EOLs), modified Huffman (2, rows byte-aligned),
    # RLEW (32771, rows 16-bit aligned; libtiff reads back its own
    # RLEW with a bad code word at line 11), and FillOrder 2.
    for name, c, info in [("group3_2d", "group3", {292: 1}), ("group3_2d_fill", "group3", {292: 5}),
                          ("group3_lsb", "group3", {266: 2}), ("group4_lsb", "group4", {266: 2}),
                          ("mh", "tiff_ccitt", {}), ("rlew", "tiff_raw_16", {})]:
        b = io.BytesIO()
        bilevel.save(b, "TIFF", compression=c, tiffinfo=info)
        files["ccitt_%s_37x21.tif" % name] = b.getvalue()
    # A fax-sized page (1728 pixels wide) of text-like blocks, lines and
    # dithered grey: long runs (makeup codes), pass and horizontal modes.
    r = np.random.RandomState(270)
    page = np.full((300, 1728), 255, np.uint8)
    for _ in range(400):
        y, x = r.randint(0, 290), r.randint(0, 1700)
        page[y:y + r.randint(1, 10), x:x + r.randint(1, 40)] = 0
    page[120:180, 200:1500] = np.tile(np.linspace(0, 255, 1300).astype(np.uint8), (60, 1))
    big = Image.fromarray(page).convert("1")
    for c, info in [("group3", {292: 1}), ("group4", {}), ("tiff_ccitt", {})]:
        b = io.BytesIO()
        big.save(b, "TIFF", compression=c, tiffinfo=info)
        files["ccitt_big_%s_1728x300.tif" % c] = b.getvalue()
    # Strips and tiles written by hand around strips libtiff coded, one
    # RLEW file with odd strip offsets (its 16-bit alignment is by address).
    bl = (np.asarray(bilevel, np.uint8) * 255)[:, :, None]
    for name, c, code, info, kw in [
            ("mh_strips", 2, "tiff_ccitt", {}, dict(rows=8)),
            ("rlew_odd_strips", 32771, "tiff_raw_16", {}, dict(rows=8, lead=1)),
            ("group3_2d_tiles", 3, "group3", {292: 1}, dict(tile=(16, 16))),
            ("group4_tiles_white0", 4, "group4", {262: 0}, dict(tile=(16, 16), photometric=0))]:
        tags = [(t, 3 if v < 65536 else 4, [v]) for t, v in info.items() if t != 262]
        files["ccitt_%s_37x21.tif" % name] = tiff_bytes(bl, compression=c, bits=1, more_tags=tags,
                                                        encode=lambda a, code=code, info=info: ccitt_block(a, code, info),
                                                        **kw)
    # Signed, float and 32-bit grey (PIL modes I and F, clipped by convert).
    num = pattern(19, 9, 195)[..., 0].astype(np.float64) * 1.37 - 40.25
    for name, arr, sf, be in [("float32", num.astype(np.float32), 3, False), ("float32_be", num.astype(np.float32), 3, True),
                              ("int16", (num * 3).astype(np.int16), 2, False), ("int32", (num * 5).astype(np.int32), 2, False),
                              ("uint32", np.abs(num * 2).astype(np.uint32), 1, False)]:
        files["%s_19x9.tif" % name] = tiff_bytes(arr[..., None], be=be, rows=4, more_tags=[(339, 3, [sf])])
    g16 = (np.abs(num) * 150).astype(np.uint16)
    files["gray16_19x9.tif"] = tiff_bytes(g16[..., None], rows=4)
    files["gray16_be_19x9.tif"] = tiff_bytes(g16[..., None], be=True)
    g12 = (np.abs(num) * 9).astype(np.int64) % 4096
    files["gray12_19x9.tif"] = tiff_bytes(g12.astype(np.uint16)[..., None], rows=4, bits=12,
                                          encode=lambda a: b"".join(pack_bits(r, 12) for r in a[..., 0]))
    # Associated (premultiplied) alpha, ExtraSamples = 1.
    files["premul8_19x11.tif"] = tiff_bytes(premultiplied(19, 11, 140, 8), extra=[1])
    files["premul8_planar_deflate_19x11.tif"] = tiff_bytes(premultiplied(19, 11, 141, 8), planar=2, compression=8, extra=[1])
    files["premul16_19x11.tif"] = tiff_bytes(premultiplied(19, 11, 142, 16), extra=[1])
    files["premul16_tiles_be_19x11.tif"] = tiff_bytes(premultiplied(19, 11, 143, 16), tile=(16, 16), extra=[1], be=True)
    # 2- and 4-bit grey (BlackIsZero and WhiteIsZero) and palette TIFFs.
    g = (pattern(19, 9, 160)[..., 1:2].astype(np.int64) * 16 // 256).astype(np.uint8)
    files["gray4_19x9.tif"] = tiff_bytes(g, bits=4, rows=4)
    files["gray4_white0_19x9.tif"] = tiff_bytes(g, bits=4, photometric=0, be=True)
    files["gray2_19x9.tif"] = tiff_bytes(g >> 2, bits=2, compression=8)
    cmap = [int(v) * 257 for v in pattern(16, 3, 161)[..., 0].reshape(-1)]  # R, then G, then B
    files["palette4_19x9.tif"] = tiff_bytes(g, bits=4, photometric=3, colormap=cmap)
    files["palette2_19x9.tif"] = tiff_bytes(g >> 2, bits=2, photometric=3, colormap=cmap[0:4] + cmap[16:20] + cmap[32:36])
    # CIELab (Photometric 8, a* and b* signed): PIL reads LAB and converts
    # it to RGB through LittleCMS. Random samples cover the whole table.
    lab = lab_samples()
    files["lab_48x32.tif"] = tiff_bytes(lab, photometric=8)
    files["lab_tiles_deflate_48x32.tif"] = tiff_bytes(lab, photometric=8, tile=(16, 16), compression=8)
    files["lab_strips_pred_48x32.tif"] = tiff_bytes(lab, photometric=8, rows=5, compression=8, predictor=2)
    # JPEG-compressed CIELab, saved by PIL: libtiff codes the samples as
    # components with no colour transform (JCS_UNKNOWN), and reads them so.
    b = io.BytesIO()
    Image.open(io.BytesIO(files["lab_48x32.tif"])).save(b, "TIFF", compression="jpeg", quality=90)
    files["jpeg_lab_48x32.tif"] = b.getvalue()
    # Grey and palette with alpha (PIL writes LA and PA itself).
    la = Image.merge("LA", [Image.fromarray(pattern(17, 10, 162)).convert("L"),
                            Image.fromarray(pattern(17, 10, 163)[..., 0])])
    b = io.BytesIO()
    la.save(b, "TIFF")
    files["gray_alpha_17x10.tif"] = b.getvalue()
    pa = Image.fromarray(pattern(17, 10, 164)).quantize(colors=20).convert("PA")
    pa.putalpha(Image.fromarray(pattern(17, 10, 165)[..., 2]))
    b = io.BytesIO()
    pa.save(b, "TIFF", compression="tiff_deflate")
    files["palette_alpha_17x10.tif"] = b.getvalue()
    # Animated WebP: PIL's convert gives the first frame. Saved by PIL
    # (lossy and lossless), and one hand-made file whose first frame is a
    # 20x14 lossless image at (6, 4) on a 40x30 canvas.
    frames = [Image.fromarray(pattern(36, 28, 170 + i)) for i in range(3)]
    for name, kw in [("anim_lossy_36x28.webp", dict(quality=80)), ("anim_lossless_36x28.webp", dict(lossless=True))]:
        b = io.BytesIO()
        frames[0].save(b, "WEBP", save_all=True, append_images=frames[1:], duration=100, **kw)
        files[name] = b.getvalue()
    rgba = [Image.fromarray(np.dstack([pattern(36, 28, 174 + i), pattern(36, 28, 177 + i)[..., 0]]), "RGBA")
            for i in range(2)]
    b = io.BytesIO()
    rgba[0].save(b, "WEBP", save_all=True, append_images=rgba[1:], duration=100, quality=80)
    files["anim_lossy_alpha_36x28.webp"] = b.getvalue()
    b = io.BytesIO()
    Image.fromarray(pattern(20, 14, 173)).save(b, "WEBP", lossless=True)
    still = b.getvalue()
    vp8l = still[12:]  # the VP8L chunk, header included
    u24 = lambda v: struct.pack("<I", v)[:3]
    anmf = u24(3) + u24(2) + u24(19) + u24(13) + u24(100) + b"\0" + vp8l
    chunks = (b"VP8X" + struct.pack("<I", 10) + b"\x12\0\0\0" + u24(39) + u24(29)
              + b"ANIM" + struct.pack("<I", 6) + b"\0\0\0\0\0\0"
              + b"ANMF" + struct.pack("<I", len(anmf)) + anmf + b"\0" * (len(anmf) % 2))
    files["anim_offset_40x30.webp"] = b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WEBP" + chunks
    # GIF LZW code sizes image/gif refuses (PIL takes 0-12), literal codes
    # above 255 (PIL keeps the low byte), indices past a short palette.
    r = np.random.RandomState(185)
    gidx = (r.randint(0, 4, (20, 30)) * (r.rand(20, 30) > 0.3)).astype(np.int64)
    gpal = [(i * 60, 255 - i * 60, i * 97 % 256) for i in range(4)]
    files["gif_codesize11_30x20.gif"] = gif_file(30, 20, gidx, 11, gpal)
    files["gif_codesize11_wide_30x20.gif"] = gif_file(30, 20, gidx + 256 * r.randint(0, 8, gidx.shape), 11, gpal)
    files["gif_codesize1_30x20.gif"] = gif_file(30, 20, gidx % 2, 1, gpal[:2], literal=True)
    files["gif_past_palette_30x20.gif"] = gif_file(30, 20, gidx * 3, 4, gpal)
    # A first frame reaching past the logical screen: PIL grows the image.
    g = bytearray(gif_file(30, 20, gidx, 2, gpal))
    struct.pack_into("<HH", g, 6, 24, 14)  # screen 24x14
    struct.pack_into("<HH", g, g.index(b"\x2c", 13 + 12) + 1, 3, 2)  # frame at (3, 2)
    files["gif_frame_past_screen_33x22.gif"] = bytes(g)
    # JPEG-compressed TIFF (Compression 7): RGB and grey with JPEGTables,
    # saved by PIL; YCbCr 4:2:0 strips and tiles, each a whole JPEG.
    for mode, name in [("RGB", "jpeg_rgb_33x21.tif"), ("L", "jpeg_gray_33x21.tif")]:
        b = io.BytesIO()
        Image.fromarray(pattern(33, 21, 190)).convert(mode).save(b, "TIFF", compression="jpeg", quality=85)
        files[name] = b.getvalue()

    def jpeg_block(a):
        return bytes(jpeg_bytes(Image.fromarray(np.ascontiguousarray(a)), quality=85, subsampling=2))

    ycc = [(530, 3, [2, 2])]
    # Grey and alpha, JPEG-compressed by libtiff as 2 unsubsampled
    # components (JCS_UNKNOWN): PIL reads LA.
    la = Image.merge("LA", [Image.fromarray(pattern(33, 21, 193)).convert("L"),
                            Image.fromarray(pattern(33, 21, 194)[..., 1])])
    b = io.BytesIO()
    la.save(b, "TIFF", compression="jpeg", quality=85)
    files["jpeg_gray_alpha_33x21.tif"] = b.getvalue()

    ga = np.dstack([np.asarray(la)[..., 0], np.asarray(la)[..., 1]])
    files["jpeg_gray_alpha_strips_33x21.tif"] = tiff_bytes(ga, rows=8, compression=7, photometric=1,
                                                           encode=la_jpeg, extra=[2])
    files["jpeg_gray_alpha_tiles_33x21.tif"] = tiff_bytes(ga, tile=(16, 16), compression=7, photometric=1,
                                                          encode=la_jpeg, extra=[2])
    # An RGB TIFF whose strips are JFIF (YCbCr-coded) JPEGs: libtiff reads
    # the components as coded, since the Photometric is not YCbCr.
    files["jpeg_rgb_jfif_33x21.tif"] = tiff_bytes(pattern(33, 21, 195), rows=16, compression=7, photometric=2,
                                                  encode=lambda a: bytes(jpeg_bytes(Image.fromarray(
                                                      np.ascontiguousarray(a)), quality=90, subsampling=0)))
    files["jpeg_ycbcr_strips_33x21.tif"] = tiff_bytes(pattern(33, 21, 191), rows=16, compression=7, photometric=6,
                                                      encode=jpeg_block, more_tags=ycc)
    files["jpeg_ycbcr_tiles_33x21.tif"] = tiff_bytes(pattern(33, 21, 192), tile=(16, 16), compression=7,
                                                     photometric=6, encode=jpeg_block, more_tags=ycc)
    # BMP variants PIL reads and x/image/bmp does not.
    q = Image.fromarray(pattern(23, 9, 150)).quantize(colors=12)
    idx = np.array(q)
    pal = [tuple(q.getpalette()[3 * i:3 * i + 3]) for i in range(12)]
    files["rle8_23x9.bmp"] = bmp_file(23, 9, 8, rle_encode(idx, False), compression=1, palette=pal)
    files["rle4_23x9.bmp"] = bmp_file(23, 9, 4, rle_encode(idx, True), compression=2, palette=pal, colors=12)
    rgb = pattern(13, 7, 151).astype(np.int64)
    p555 = (rgb[..., 0] >> 3) << 10 | (rgb[..., 1] >> 3) << 5 | rgb[..., 2] >> 3
    p565 = (rgb[..., 0] >> 3) << 11 | (rgb[..., 1] >> 2) << 5 | rgb[..., 2] >> 3
    rows16 = lambda p: [p[y].astype("<u2").tobytes() for y in range(p.shape[0])]
    files["rgb555_13x7.bmp"] = bmp_file(13, 7, 16, bmp_rows(rows16(p555)))
    files["rgb555_bitfields_13x7.bmp"] = bmp_file(13, 7, 16, bmp_rows(rows16(p555)), compression=3,
                                                  masks=(0x7C00, 0x3E0, 0x1F))
    files["rgb565_13x7.bmp"] = bmp_file(13, 7, 16, bmp_rows(rows16(p565), True), compression=3,
                                        masks=(0xF800, 0x7E0, 0x1F), header=108, top_down=True)
    a = np.random.RandomState(152).randint(0, 256, (7, 13))
    r8, g8, b8 = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    for name, masks, order in [("xbgr", (0xFF000000, 0xFF0000, 0xFF00, 0), (a, b8, g8, r8)),
                               ("abgr", (0xFF000000, 0xFF0000, 0xFF00, 0xFF), (a, b8, g8, r8)),
                               ("rgba", (0xFF, 0xFF00, 0xFF0000, 0xFF000000), (r8, g8, b8, a)),
                               ("bgra", (0xFF0000, 0xFF00, 0xFF, 0xFF000000), (b8, g8, r8, a))]:
        px = np.stack(order, axis=2).astype(np.uint8)
        files["%s_13x7.bmp" % name] = bmp_file(13, 7, 32, bmp_rows([px[y].tobytes() for y in range(7)]),
                                                compression=3, masks=masks, header=124)
    bgr = pattern(11, 6, 153)[..., ::-1]
    files["os2v1_24_11x6.bmp"] = bmp_file(11, 6, 24, bmp_rows([bgr[y].tobytes() for y in range(6)]), header=12)
    idx4 = (np.arange(11 * 6).reshape(6, 11) * 7) % 16
    pal16 = [tuple(int(v) for v in pattern(16, 1, 154)[0, i]) for i in range(16)]
    files["os2v1_pal4_11x6.bmp"] = bmp_file(11, 6, 4, bmp_rows([pack_bits(r, 4) for r in idx4]), header=12, palette=pal16)
    files["os2v2_pal8_11x6.bmp"] = bmp_file(11, 6, 8, bmp_rows([bytes(r) for r in idx4 * 3]), header=64, palette=pal16,
                                            colors=16)
    files["pal24_11x6.bmp"] = bmp_file(11, 6, 24, bmp_rows([bgr[y].tobytes() for y in range(6)]), palette=pal16, colors=16)
    # Pixel-offset quirks: an offset that points at the palette (PIL skips
    # it), and an offset past a gap after the palette.
    files["offset_at_palette_11x6.bmp"] = bmp_file(11, 6, 4, bmp_rows([pack_bits(r, 4) for r in idx4]), palette=pal16,
                                                   colors=16, offset=54)
    files["offset_gap_11x6.bmp"] = bmp_file(11, 6, 4, bmp_rows([pack_bits(r, 4) for r in idx4]), palette=pal16,
                                            colors=16, offset=54 + 64 + 10)
    # Indices past a short palette read PIL's grey ramp.
    files["short_palette_11x6.bmp"] = bmp_file(11, 6, 8, bmp_rows([bytes(r) for r in idx4 * 3]), palette=pal16[:5],
                                               colors=5)
    for name, data in files.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    return list(files)


# Files PIL 9.4 cannot open, expected to decode like another fixture.
# Uncompressed YCbCr: PIL 9.4 unpacks it as RGBX (garbage); vit decodes
# it as libtiff does the compressed ones.
SAME_AS = {"bigtiff_be_strips_21x13.tif": "bigtiff_strips_21x13.tif",
           "ycbcr22_raw_21x13.tif": "ycbcr22_deflate_21x13.tif",
           "ycbcr11_raw_21x13.tif": "ycbcr11_deflate_21x13.tif",
           # Uncompressed planar 16-bit (PIL 9.4 unpacks each plane as 8-bit)
           # and planar premultiplied (PIL 9.4: "unknown raw mode").
           "planar16_strips_raw_21x13.tif": "planar16_strips_deflate_21x13.tif",
           "premul8_planar_raw_19x11.tif": "premul8_planar_deflate_19x11.tif",
           # Big-endian 16-bit CMYK (PIL 9.4 reads only CMYK;16L).
           "cmyk16_be_23x11.tif": "cmyk16_23x11.tif",
           # TIFF Orientation 6 and 2, which PIL 9.4 applies twice, against
           # PNGs of the same pixels whose orientation it applies once.
           "orient6_40x24.tif": "rawexif_text_40x24.png",
           "orient2_40x24.tif": "exif_wins_xmp_40x24.png",
           # Planar CIELab: PIL 9.4 reads a* and b* of separate planes as
           # unsigned (band raw modes "A" and "B", not "LAB").
           "lab_planar_48x32.tif": "lab_48x32.tif",
           "lab_planar_deflate_48x32.tif": "lab_48x32.tif"}


def make_same_as():
    rgb8 = pattern(21, 13, 130)
    ycc = np.asarray(Image.fromarray(pattern(21, 13, 210)).convert("YCbCr"))
    files = {"bigtiff_be_strips_21x13.tif": tiff_bytes(rgb8, rows=5, big=True, be=True)}
    for hs, vs in [(1, 1), (2, 2)]:
        files["ycbcr%d%d_raw_21x13.tif" % (hs, vs)] = tiff_bytes(
            ycc, rows=8, photometric=6, more_tags=[(530, 3, [hs, vs])],
            encode=lambda a, hs=hs, vs=vs: ycbcr_units(a, hs, vs))
    rgb16 = rgb8.astype(np.uint16) * 257 + np.random.RandomState(131).randint(0, 257, rgb8.shape).astype(np.uint16)
    files["planar16_strips_raw_21x13.tif"] = tiff_bytes(rgb16, planar=2, rows=6, be=True)
    files["premul8_planar_raw_19x11.tif"] = tiff_bytes(premultiplied(19, 11, 141, 8), planar=2, extra=[1])
    files["cmyk16_be_23x11.tif"] = tiff_bytes(CMYK16, rows=4, photometric=5, be=True)
    lab = lab_samples()
    files["lab_planar_48x32.tif"] = tiff_bytes(lab, photometric=8, planar=2, rows=7)
    files["lab_planar_deflate_48x32.tif"] = tiff_bytes(lab, photometric=8, planar=2, compression=8, tile=(16, 16))
    for o in (6, 2):
        files["orient%d_40x24.tif" % o] = tiff_bytes(pattern(40, 24, 120), rows=8, more_tags=[(274, 3, [o])])
    for name, data in files.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


def make_unsupported():
    """Writes valid files of variants vit does not read; returns
    {file name: the error cause vit must give}, which README's table of
    unsupported variants lists."""
    files, want = {}, {}
    base = Image.fromarray(pattern(16, 8, 180))

    def add(name, data, what):
        files[name], want[name] = data, what

    # Grey old-style JPEG: PIL 9.4 takes every old-style JPEG for YCbCr
    # and refuses it ("unknown pixel mode").
    jb = bytes(jpeg_bytes(base.convert("L"), quality=90))
    add("unsupported_oldjpeg_grey.tif", tiff_bytes(pattern(16, 8, 183)[..., :1], compression=6, encode=lambda a: jb,
                                                   more_tags=[(513, 4, [8]), (514, 4, [len(jb)])]),
        "TIFF old-style JPEG with Photometric 1")
    add("unsupported_float64.tif", tiff_bytes(pattern(16, 8, 181)[..., :1].astype(np.float64), more_tags=[(339, 3, [3])]),
        "TIFF BitsPerSample of 64")
    d = jpeg_bytes(base, quality=90)
    d[sof(d) + 4] = 12
    add("unsupported_12bit.jpg", bytes(d), "12-bit JPEG")
    d = jpeg_bytes(base, quality=90)
    d[sof(d) + 1] = 0xc3
    add("unsupported_lossless.jpg", bytes(d), "lossless JPEG")
    add("unsupported_ycbcr16.tif", tiff_bytes(pattern(16, 8, 182).astype(np.uint16) * 257, photometric=6,
                                              more_tags=[(530, 3, [1, 1])]),
        "TIFF YCbCr with 3 samples of 16 bits")
    # Other formats PIL 9.4 reads, saved by PIL: named by their signature.
    for name, im, fmt, kw, what in [
            ("ico", base.resize((32, 32)), "ICO", {}, "ICO image"), ("ppm", base, "PPM", {}, "Netpbm image"),
            ("pgm", base.convert("L"), "PPM", {}, "Netpbm image"), ("pbm", base.convert("1"), "PPM", {}, "Netpbm image"),
            ("jp2", base, "JPEG2000", {}, "JPEG 2000 image"), ("j2k", base, "JPEG2000", {"no_jp2": True}, "JPEG 2000 codestream"),
            ("dds", base.convert("RGBA"), "DDS", {}, "DDS image"), ("sgi", base, "SGI", {}, "SGI image"),
            ("pcx", base, "PCX", {}, "PCX image")]:
        b = io.BytesIO()
        im.save(b, fmt, **kw)
        add("unsupported_format.%s" % name, b.getvalue(), what)
    # A JPEG file of 2 components (libtiff's grey and alpha, the stream of
    # a JPEG-compressed LA TIFF): PIL "cannot handle 2-layer images".
    add("unsupported_2comp.jpg", la_jpeg(np.asarray(base.convert("LA"))), "JPEG with 2 components")
    add("unsupported_rgb_float32.tif", tiff_bytes(pattern(16, 8, 185).astype(np.float32), more_tags=[(339, 3, [3, 3, 3])]),
        "TIFF RGB with 32-bit samples")
    # L*a*b* PIL 9.4 does not open: ICC and ITU encodings (Photometric 9,
    # 10), CIELab of 16 bits or with alpha.
    add("unsupported_icclab.tif", tiff_bytes(pattern(16, 8, 184), photometric=9), "TIFF Photometric 9")
    add("unsupported_itulab.tif", tiff_bytes(pattern(16, 8, 186), photometric=10), "TIFF Photometric 10")
    add("unsupported_lab16.tif", tiff_bytes(pattern(16, 8, 187).astype(np.uint16) * 257, photometric=8),
        "TIFF CIELab with 3 samples of 16 bits")
    add("unsupported_laba.tif", tiff_bytes(np.dstack([pattern(16, 8, 188), pattern(16, 8, 189)[..., :1]]),
                                           photometric=8, extra=[2]), "TIFF CIELab with 4 samples of 8 bits")
    b = io.BytesIO()
    base.save(b, "PNG")
    add("unsupported_png.bmp", bmp_file(16, 8, 0, b.getvalue(), compression=5), "BMP compression 5")
    for name, data in files.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    return want


def pil_reads(names):
    """{file: whether PIL opens and converts it to RGB} for the files vit
    refuses, which README's table of unsupported variants states."""
    out = {}
    for name in names:
        try:
            Image.open(os.path.join(OUT, name)).convert("RGB")
            out[name] = True
        except Exception:
            out[name] = False
    return out


def recipes(path):
    from PIL import ImageOps
    w, h = ImageOps.exif_transpose(Image.open(path)).size
    full = {"image_processor_type": "ViTImageProcessor", "do_resize": False, "do_center_crop": True,
            "crop_size": {"height": h, "width": w}, "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5]}
    if "_big_" in os.path.basename(path):
        # Large decoder cases are compared after a bilinear resize to
        # 48×32: every pixel still counts, the tensor stays small.
        return {"small": {"image_processor_type": "ViTImageProcessor", "do_resize": True,
                          "size": {"height": 32, "width": 48}, "resample": 2, "do_center_crop": False,
                          "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5]}}
    return {"full": full}


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    names = make_images()
    unsupported = make_unsupported()
    make_same_as()
    tensors, cases = {}, []
    for name in names:
        path = os.path.join(OUT, name)
        for rname, cfg in recipes(path).items():
            tensors["%s/%s" % (name, rname)] = run_hf(path, cfg)
            cases.append({"image": name, "recipe": rname, "kind": "hf", "config": cfg})
    for name, like in SAME_AS.items():
        for c in [c for c in cases if c["image"] == like]:
            cases.append(dict(c, image=name, expect=like + "/" + c["recipe"]))
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump({"cases": cases, "unsupported": unsupported, "pil_reads": pil_reads(unsupported),
                   "pil": Image.__version__}, f, indent=1)
    write_safetensors(os.path.join(OUT, "expected.safetensors"), tensors)
    with open(os.path.join(OUT, "README.md"), "w") as f:
        f.write("Decoder fixtures: source images, cases.json (recipe configs) and\n"
                "expected.safetensors (reference tensors from PIL %s).\n"
                "Regenerate with:\n\n    /usr/bin/python3 scripts/make_decode_fixtures.py\n" % Image.__version__)
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print("wrote %d images, %d tensors, %d bytes to %s" % (len(names), len(tensors), total, OUT), file=sys.stderr)


if __name__ == "__main__":
    main()
