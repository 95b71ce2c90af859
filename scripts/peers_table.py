"""Medians and ratios of scripts/peers_lowprec.sh's rounds, as a Markdown table.

    /usr/bin/python3 scripts/peers_table.py RESULTS.jsonl [PEAKS.txt [VITPEAKS.jsonl]]

RESULTS: JSON lines {"engine","variant","batch","med_s",...}, one per run
(seconds per forward pass). PEAKS: isa_peak output (one or more runs; the
best 2-thread rate of each zmm kernel is used). VITPEAKS: JSON lines
{"peak": precision, "gops", "source"}: the peak of what vit's matmuls run
on in each precision, as vit bench measured it (AMX where present).
Under the table, the ratios the low precisions' and fp32's speed targets
are stated in (issue 18), each with its bound, and whether each precision
met them all.
"""
import collections
import json
import re
import statistics
import sys


def peaks(path):
    """The fastest 2-thread burst of each instruction over the isa_peak
    runs in path (key "fp32", "bf16", "int8"), the largest of their
    median bursts ("fp32 med", ...) and the clock."""
    best = {}
    for line in open(path):
        m = re.match(r"(fp32|bf16|int8) +(\S+) +zmm, +24 acc +\S+ +([\d.]+) +[\d.]+ +([\d.]+) +([\d.]+)", line)
        if m:
            best[m.group(1)] = max(best.get(m.group(1), 0), float(m.group(4)))
            best[m.group(1) + " med"] = max(best.get(m.group(1) + " med", 0), float(m.group(5)))
        m = re.match(r"clock.*2T best ([\d.]+)", line)
        if m:
            best["ghz"] = float(m.group(1))
    return best


def peak_key(source):
    """The isa_peak row of the instruction vit bench says a precision's
    matmuls run on (bf16 without VDPBF16PS runs on FMAs)."""
    for instr, key in (("VDPBF16PS", "bf16"), ("VPDPBUSD", "int8"), ("VPMADDWD", "int8"), ("FMA", "fp32")):
        if instr in source:
            return key
    return ""


def main():
    runs = collections.defaultdict(list)
    extra = {}
    for line in open(sys.argv[1]):
        r = json.loads(line)
        key = (r["engine"], r["variant"], r["batch"])
        runs[key].append(r["med_s"])
        if r["engine"] == "vit":
            extra[r["variant"]] = r
    pk = peaks(sys.argv[2]) if len(sys.argv) > 2 else {}
    vpk = {}
    if len(sys.argv) > 3:
        for line in open(sys.argv[3]):
            r = json.loads(line)
            vpk[r["peak"]] = (r["gops"], r["source"])
    med = {k: statistics.median(v) for k, v in runs.items()}
    n = min(len(v) for v in runs.values())
    order = [("vit", "fp32"), ("vit", "bf16"), ("vit", "int8"), ("ort", "fp32"), ("ort", "int8"), ("ort", "int8all"),
             ("torch", "fp32"), ("torch", "bf16"), ("torch", "int8")]
    name = {"vit": "vit", "ort": "ONNX Runtime", "torch": "PyTorch 1.13"}
    ort1, ort8 = med.get(("ort", "fp32", 1)), med.get(("ort", "fp32", 8))
    vit1, vit8 = med.get(("vit", "fp32", 1)), med.get(("vit", "fp32", 8))
    print(f"ViT-B/16, 224x224, 2 threads; medians of {n} interleaved rounds (each a median of 10 passes at batch 1, 5 at batch 8).")
    if pk:
        print(f"Measured 2-thread peaks (isa_peak.c, zmm): FMA {pk.get('fp32', 0):.0f} GFLOP/s, VDPBF16PS {pk.get('bf16', 0):.0f} GFLOP/s, "
              f"VPDPBUSD {pk.get('int8', 0):.0f} GOP/s at {pk.get('ghz', 0):.2f} GHz.")
    if vpk:
        print("Peaks of what vit's matmuls run on (vit bench, 2 threads): " +
              ", ".join(f"{v} {g:.0f} ({src.replace('measured ', '')})" for v, (g, src) in vpk.items()) + ".")
    print("b1 and b8 cells: median over rounds (slowest-fastest round in parentheses).")
    print()
    print("| engine | precision | b1 ms/image | b1 time vs ORT fp32 | b8 images/s | b8 vs ORT fp32 | b8 vs vit fp32 | vit b8 % of peak |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    fracs = {}  # vit precision → b8 % of its peak
    for e, v in order:
        t1, t8 = med.get((e, v, 1)), med.get((e, v, 8))
        if t1 is None and t8 is None:
            continue
        cells = [name[e], v]
        r1 = runs.get((e, v, 1), [])
        r8 = runs.get((e, v, 8), [])
        cells.append(f"{t1 * 1e3:.1f} ({min(r1) * 1e3:.0f}-{max(r1) * 1e3:.0f})" if t1 else "")
        cells.append(f"{t1 / ort1:.2f}x" if t1 and ort1 else "")
        cells.append(f"{8 / t8:.2f} ({8 / max(r8):.1f}-{8 / min(r8):.1f})" if t8 else "")
        cells.append(f"{ort8 / t8:.2f}x" if t8 and ort8 else "")
        cells.append(f"{vit8 / t8:.2f}x" if t8 and vit8 else "")
        frac = ""
        peak = 0
        if e == "vit":
            g, src = vpk.get(v, (0, ""))
            peak = g if "AMX" in src else pk.get(peak_key(src)) or g
        if e == "vit" and t8 and peak:
            fracs[v] = 100 * extra[v]['exec_gflop'] * 8 / t8 / peak
            frac = f"{fracs[v]:.0f}%"
        cells.append(frac)
        print("| " + " | ".join(cells) + " |")
    if extra:
        print()
        print("vit matrix values: " + ", ".join(f"{v} {extra[v]['weight_mib']:.0f} MiB" for v in ("fp32", "bf16", "int8") if v in extra))
    fp32_rates(med, extra, pk)
    targets(med, fracs)


def fp32_rates(med, extra, pk):
    """Prints the FLOP rates of vit's and ONNX Runtime's fp32 against the
    FMA peak, both the fastest burst (the table's) and the median one,
    and the rates the fp32 targets ask of vit: ONNX Runtime computes the
    model's FLOPs (gflop_per_image), vit a few less (exec_gflop: the last
    block on the class token alone)."""
    r = extra.get("fp32", {})
    best, mid = pk.get("fp32"), pk.get("fp32 med")
    if not r.get("model_gflop") or not best or not mid:
        return
    def rate(e, b):
        t = med.get((e, "fp32", b))
        g = r["exec_gflop"] if e == "vit" else r["model_gflop"]
        return g * b / t if t else None
    def pct(x):
        return f"{x:.0f} GFLOP/s ({100 * x / best:.0f}% / {100 * x / mid:.0f}%)"
    print()
    print(f"fp32 against the FMA peak (fastest / median 2-thread burst, {best:.0f} / {mid:.0f} GFLOP/s); "
          f"ONNX Runtime computes the model's {r['model_gflop']:.2f} GFLOP an image, vit {r['exec_gflop']:.2f}:")
    for b, ratio, what in ((8, 1.4, "images/s"), (1, 1 / 0.75, "time")):
        v, o = rate("vit", b), rate("ort", b)
        if not v or not o:
            continue
        need = o * ratio * r["exec_gflop"] / r["model_gflop"]
        bound = f"{ratio:.1f}x" if b == 8 else "0.75x"
        print(f"- b{b}: vit {pct(v)}, ONNX Runtime {pct(o)}; {bound} ONNX Runtime's {what} asks vit for {pct(need)}")


def targets(med, fracs):
    """Prints the speed targets of the low precisions and fp32 (issue 18)
    against this run's medians: each ratio, its bound, and whether the
    precision met all of its bounds."""
    def t(e, v, b):
        return med.get((e, v, b))

    def thr(e, v):  # images/s at batch 8
        x = t(e, v, 8)
        return 8 / x if x else None

    rows = {
        "int8": [("b8 images/s vs ONNX Runtime fp32", thr("vit", "int8"), thr("ort", "fp32"), ">=", 4),
                 ("b8 images/s vs ONNX Runtime int8all", thr("vit", "int8"), thr("ort", "int8all"), ">=", 1.5),
                 ("b1 time vs ONNX Runtime fp32", t("vit", "int8", 1), t("ort", "fp32", 1), "<=", 0.3)],
        "bf16": [("b8 images/s vs vit fp32", thr("vit", "bf16"), thr("vit", "fp32"), ">=", 1.8),
                 ("b1 images/s vs vit fp32", t("vit", "fp32", 1), t("vit", "bf16", 1), ">=", 1.5),
                 ("b8 images/s vs PyTorch bf16", thr("vit", "bf16"), thr("torch", "bf16"), ">=", 1.3)],
        "fp32": [("b8 images/s vs ONNX Runtime fp32", thr("vit", "fp32"), thr("ort", "fp32"), ">=", 1.4),
                 ("b1 time vs ONNX Runtime fp32", t("vit", "fp32", 1), t("ort", "fp32", 1), "<=", 0.75)],
    }
    print()
    print("Targets (ratios of this run's medians):")
    for prec, checks in rows.items():
        cells, ok = [], True
        for label, a, b, op, bound in checks:
            if a is None or b is None:
                continue
            r = a / b
            ok = ok and (r >= bound if op == ">=" else r <= bound)
            cells.append(f"{label} {r:.2f}x ({op} {bound})")
        if prec == "fp32" and "fp32" in fracs:
            ok = ok and fracs["fp32"] >= 85
            cells.append(f"b8 {fracs['fp32']:.0f}% of the FMA peak (>= 85%)")
        if cells:
            print(f"- {prec}: " + "; ".join(cells) + (" - met" if ok else " - missed"))


if __name__ == "__main__":
    main()
