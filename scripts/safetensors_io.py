"""safetensors files for the fixture and model scripts, without the
safetensors package: an 8-byte little-endian header length, a JSON header
padded with spaces to a multiple of 8 bytes (as Hugging Face writes it),
then the raw little-endian data of each tensor in order.

    from safetensors_io import read_safetensors, write_safetensors

(the scripts run as /usr/bin/python3 scripts/NAME.py, so this directory is
on sys.path).
"""
import json
import os
import struct

import numpy as np

_NUMPY_DTYPES = {np.dtype("float32"): "F32", np.dtype("float16"): "F16", np.dtype("uint8"): "U8",
                 np.dtype("int64"): "I64"}


def _encode(t):
    """Returns (dtype, shape, bytes) of a torch tensor or a numpy array."""
    if hasattr(t, "detach"):  # a torch tensor
        import torch

        t = t.detach().contiguous().cpu()
        if t.dtype == torch.bfloat16:
            return "BF16", list(t.shape), t.view(torch.int16).numpy().astype("<i2").tobytes()
        t = t.numpy()
    a = np.ascontiguousarray(t)
    return _NUMPY_DTYPES[a.dtype], list(a.shape), a.astype(a.dtype.newbyteorder("<")).tobytes()


def write_safetensors(path, tensors, metadata=None):
    """Writes tensors (name -> torch tensor or numpy array of F32, F16, BF16,
    U8 or I64), in the dict's order, and metadata (str -> str) first when
    given. The file is written under a temporary name and renamed, so it is
    only ever replaced whole."""
    header, blobs, off = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        dtype, shape, raw = _encode(t)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for raw in blobs:
            f.write(raw)
    os.replace(tmp, path)


def read_safetensors(path):
    """Returns name -> numpy float32 array of an all-F32 file."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        if v["dtype"] != "F32":
            raise ValueError("%s: tensor %s is %s, want F32" % (path, k, v["dtype"]))
        s, e = v["data_offsets"]
        out[k] = np.frombuffer(data[base + s:base + e], dtype="<f4").reshape(v["shape"]).copy()
    return out
