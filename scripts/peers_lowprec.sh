#!/usr/bin/env bash
# vit beside ONNX Runtime and PyTorch on ViT-B/16 (random weights, 224x224,
# 2 threads), batch 1 and 8, in fp32, bf16 and int8: ROUNDS interleaved
# rounds (each round runs every engine once), then medians over rounds and
# ratios (scripts/peers_table.py), with the machine's measured peaks.
#
# Usage: scripts/peers_lowprec.sh [ROUNDS]          (default 3)
# Needs the peer benchmarks of PEERS_BENCH (default ../shared/bench), set up
# once by its peers_int8.sh (ONNX Runtime, the ONNX exports and their int8
# quantizations in PEERS_DIR, default /tmp/vit-peers), Debian's python3-torch
# and python3-torchvision with libopenblas0-pthread, gcc and node.
# Raw results: one JSON line per engine, variant, batch and round in OUT
# (default /tmp/vit-lowprec-peers.jsonl).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
bench=${PEERS_BENCH:-../shared/bench}
export PEERS_DIR=${PEERS_DIR:-/tmp/vit-peers}
out=${OUT:-/tmp/vit-lowprec-peers.jsonl}
onnx=$PEERS_DIR/onnx
for f in vit_b_16 vit_b_16.int8 vit_b_16.int8all; do
	[ -f "$onnx/$f.onnx" ] || { echo "missing $onnx/$f.onnx: run $bench/peers_int8.sh once" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
CGO_ENABLED=0 go build -trimpath -o "$tmp/vit" ./cmd/vit
gcc -O2 -mavx512f -mavx512bf16 -mavx512vnni -mavxvnni -pthread "$bench/isa_peak.c" -o "$tmp/isa_peak"

: >"$out"
"$tmp/isa_peak" 100 | tee "$tmp/peaks.txt" >&2
# The peak of what each precision's matmuls run on (FMA, AMX, VPDPBUSD), as vit bench measures it.
for p in fp32 bf16 int8; do
	"$tmp/vit" bench -m vit-ti16 -b 1 -t 2 --iters 1 --warmup 0 --precision "$p" -f json |
		/usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin); print(json.dumps({"peak":r["precision"],"gops":r.get("peak_gflops",0),"source":r.get("peak_source","")}))' >>"$tmp/vitpeaks.jsonl"
done
for r in $(seq "$rounds"); do
	echo "round $r of $rounds" >&2
	for b in 1 8; do
		iters=10
		[ "$b" = 1 ] || iters=5
		for p in fp32 bf16 int8; do
			# --peak-gflops: the peaks come from isa_peak, not each run
			"$tmp/vit" bench -m vit-b16 -b "$b" -t 2 --iters "$iters" --precision "$p" --peak-gflops 1 -f json |
				/usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin); print(json.dumps({"engine":"vit","variant":r["precision"],"batch":r["batch_size"],"med_s":r["ms_per_image"]*r["batch_size"]/1e3,"min_s":r["ms_per_image_best"]*r["batch_size"]/1e3,"exec_gflop":r["executed_gflop_per_image"],"model_gflop":r["gflop_per_image"],"weight_mib":r["weight_mib"]}))' >>"$out"
		done
	done
	node "$bench/node/ort_variants.mjs" bench --rounds 1 --batches 1,8 \
		fp32="$onnx/vit_b_16.onnx" int8="$onnx/vit_b_16.int8.onnx" int8all="$onnx/vit_b_16.int8all.onnx" | grep '^{' >>"$out"
	OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 scripts/torch_lowprec.py 2>/dev/null | grep '^{' >>"$out"
done
"$tmp/isa_peak" 100 | tee -a "$tmp/peaks.txt" >&2
/usr/bin/python3 scripts/peers_table.py "$out" "$tmp/peaks.txt" "$tmp/vitpeaks.jsonl"
cp "$tmp/vitpeaks.jsonl" "${out%.jsonl}.peaks.jsonl"
