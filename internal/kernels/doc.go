// Package kernels holds the numeric kernels of the encoder: SGEMM with a
// fused epilogue, attention, LayerNorm, softmax and GELU, and the worker pool
// that spreads them over the cores. It knows nothing of models.
//
// Letters used in shapes: M rows of A and C, N columns of C (rows of the
// weight W), K the shared dimension; B batch, T tokens, H heads,
// Dh head width.
//
// All matrices are float32, row-major, with an explicit leading dimension
// (the distance in elements between the starts of two rows).
//
// # Contract
//
//   - NewPool starts threads−1 goroutines once; Pool.For and every kernel
//     taking a *Pool run on them without allocating. Calls on one Pool are
//     serialized; a nil *Pool runs on the calling goroutine.
//   - PackB wraps a weight W [N, K] where it lies (a memory-mapped
//     checkpoint, no copy; StackB joins row blocks such as q, k, v);
//     Linear computes act(A·Wᵀ + bias), or adds it to C (a fused
//     residual): W's rows are read in place, A is packed per call into
//     32-token panels, the bias is added in the micro-kernel and the
//     activation applied to each output tile while it is in L1.
//   - Panels holds activations in that 32-token panel layout, so a ViT
//     block never goes back to rows: LayerNormPanels normalizes 32 tokens
//     at a time (a vector lane per token), LinearToPanels reads panels and
//     writes its output as panels (the micro-kernel's transposed tiles
//     already are: fc1 feeds fc2 with no transpose) and LinearPanelsAdd
//     adds into a residual stream in panels through the micro-kernel's C
//     load. LinearToPanelsNormed is LayerNormPanels then
//     LinearToPanels; on an int8 or bf16 W the LayerNorm runs on each
//     token panel as the Linear converts it (LayerNorm, then ranges and
//     quantization or bf16 rounding per panel, in a worker's buffer), and
//     LN(x) is never written out (ln1 → qkv, ln2 → fc1). MLPPanelsAdd is
//     the MLP branch, fc1 then fc2 added to the residual stream; on bf16
//     W, fc1 rounds each finished output tile straight into fc2's bf16
//     input; on int8 W, fc1 runs token panel by token panel into a
//     worker's buffer and quantizes each panel there for fc2; either way
//     the float32 hidden activations are never written.
//   - AttentionPanels computes attention on qkv [B·T, 3D] and output in
//     token panels (K read in place as the packed A operand, Vᵀ copied
//     from 32-token runs, no transposes), for a block kept in panels end
//     to end. AttentionPrefix is attention for the first tokens of each
//     sequence only (queries in rows, k|v in panels), for a last block
//     whose other tokens' outputs are not used; PackedB.RowRange gives it
//     the q rows and the k|v rows of a fused q|k|v weight.
//     AttentionPanelsAt is AttentionPanels in a precision: for bf16 and
//     int8 (attention_lowprec.go), q, k, v and the probabilities rounded
//     to bf16, both products on TDPBF16PS tiles with AMX, else on the
//     VDPBF16PS tile or the float32 kernels (the same bits), scores and
//     softmax in float32; for fp32 AttentionPanels itself.
//   - PackedB.Convert gives W a bf16 or int8 form (owned memory, 1/2 or
//     1/4 of float32's bytes); every Linear entry point then runs in that
//     precision (lowprec.go: bf16 on the float32 micro-kernels with
//     exact products, int8 on a VPDPBUSD micro-kernel (AVX-512 VNNI or
//     AVX-VNNI; VPMADDWD on other AVX2 CPUs, lowprec_avx2_amd64.go) with
//     per-channel weight and per-token activation scales), or with AMX on tile
//     kernels (TDPBF16PS, TDPBSUD), each output summed in an order fixed
//     by K alone. NewLowB with SetRows (float32 rows) and SetRowsBF16
//     (stored bf16 bits) builds the same form row block by row block
//     (lowpack.go), so a loader never holds a whole matrix in float32.
//   - LayerNorm, SoftmaxRows and Activate work in place or out of place on
//     rows with leading dimensions.
//   - Batch invariance: every kernel computes a token's values (a
//     sequence's, for attention) in an order fixed by the shapes alone
//     (K, T, D), never by M, the batch, the lane, panel, micro-tile width
//     or task that holds the token, or the thread count; so a model's
//     output for an image is the same bits in any batch. A new path must
//     keep it: invariance_test.go compares each kernel's outputs in many
//     batches with each token alone, bit for bit, on every ISA.
//
// # Instruction sets
//
// The micro-kernels (Mr×32 register tiles, with 16- and 8-column variants
// for the last token panel, the 8-column one two rows a vector on
// AVX-512) and the vector math exist in Go assembly for AVX-512 (Mr = 12,
// two zmm per row) and AVX2+FMA (6×16, run twice per panel), plus a
// pure-Go generic kernel that is the specification (sgemm_generic.go)
// and the only path under -tags purego or off amd64.
// _asm/gen.go generates the micro-kernels (sgemm_amd64.s) and the 16×16
// transposes that pack its activations and store its output
// tiles (transpose_amd64.s), each with its Go stubs and dispatch tables
// (*_stubs_amd64.go); go generate ./internal/kernels, run on amd64,
// rewrites them. The vector math (vecmath_amd64.s), LayerNorm
// on panels (lnpanel_amd64.s) and the prefetch loop (prefetch_amd64.s) are
// written by hand. The CPU is probed once in init
// (golang.org/x/sys/cpu); tests flip the flags to run every path.
//
// # Accuracy
//
// GELU uses erfc(z) ≈ t·exp(−z² + E(t)) (t = 1/(1+z/2), fractional error
// < 1.2e-7) with the exp argument carried in two parts; its relative error
// against math.Erfc is below 5e-7 on [−10, 10]. Softmax and the tanh and
// quick GELUs use a Cephes-style expf (about 1 ulp). The bf16 and int8
// paths' GELU is a piecewise polynomial of Φ instead (geluLow: error ≤
// 1.1e-7·max(1, |x|)). GEMM sums are float32
// with FMA, in K order within a Kc block.
package kernels
