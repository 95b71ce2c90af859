// Package model loads Vision Transformer checkpoints (Hugging Face ViT and
// DeiT, timm ViT and distilled DeiT) and runs the encoder.
//
// Letters used in shapes: B batch, T tokens (prefix + patches), Np patches
// = gh·gw, D width, H heads, Dh = D/H head width, F MLP width, C channels,
// P patch size, L classes; the prefix is the class token, plus the
// distillation token for DeiT. In pixels [B, C, H, W], H and W are the
// image's height and width (gh = H/P, gw = W/P).
//
// # Loading
//
// Load reads config.json, model.safetensors (or the shards named by
// model.safetensors.index.json) and, when present,
// preprocessor_config.json. The safetensors files are memory-mapped; the
// header is validated before anything else is read (length within the
// file and under 100 MB, known dtype F32/F16/BF16, shape × dtype size =
// byte length, tensors tiling the data section with no gap or overlap).
// The layout is detected from the keys (layout.go has one key table per
// layout) and every tensor is bound to exactly one parameter with its exact
// shape, or Load fails naming the key and both shapes. Matrices stored as
// aligned little-endian F32 are then used in place in the mapping
// (kernels.PackB only wraps them; Hugging Face's separate q, k, v weights
// become one operand with kernels.StackB), so opening reads the headers
// and the small tensors and no other page of the file. F16, BF16 and
// unaligned matrices are converted to float32 once, and vectors, tokens and
// position embeddings copied; the pages of what was copied are dropped
// from the resident set. The file stays mapped until Close, after which
// Forward returns an error.
//
// Config carries every field that changes the math: dimensions, the MLP
// activation (HF hidden_act: gelu is the exact erf GELU; gelu_new,
// gelu_pytorch_tanh and gelu_fast the tanh form; quick_gelu; relu),
// layer_norm_eps (HF default 1e-12, timm 1e-6), qkv_bias, channels and the
// labels (HF id2label; timm label_names, else ImageNet-1k for 1000 classes).
// timm configs name an architecture (vit_|deit_ + tiny..huge +
// [distilled_]patch8|14|16|32 + _224|_384) whose dimensions come from a
// table, overridable by model_args.
//
// # Forward
//
// Forward takes normalized pixels [B, C, H, W] (Recipe.Pixels of each
// image, H and W whole numbers of patches; InputShape gives the size the
// recipe produces) and writes logits [B, L]. The patch embedding, a
// Conv2d(C, D, kernel P, stride P), is a GEMM: each image is cut into its
// patches [Np, C·P·P] (patch.go; rows in the conv weight's [C, P, P]
// order, patches in row-major grid order), which multiply Wp [D, C·P·P]:
//
//	x = [cls; dist; patches·Wpᵀ + bp] + pos            // [B·T, D]
//	for each block: x += Attn(LN1(x)); x += MLP(LN2(x))
//	logits = head(LN(x[:, 0]))                         // ViT, DeiT without teacher
//	logits = (head(LN(x[:, 0])) + head_dist(LN(x[:, 1]))) / 2   // DeiT with teacher
//
// The residual stream x lives in token panels (kernels.Panels) from the
// embeddings to the final LayerNorm: LayerNorm, q|k|v, attention, the
// MLP's hidden layer and the residual adds of the projections all read and
// write that layout, so no activation is transposed back to rows inside a
// block. Only the prefix tokens of the last block reach the head, so
// Forward runs that block for them alone: LN1 and k|v for every token,
// then q, attention (kernels.AttentionPrefix), the projection and the MLP
// for the prefix rows (1/197 of that work at 224×224, 7% of ViT-B/16's
// FLOPs saved; Model.ForwardFLOPs counts what is performed).
// ForwardHidden, which reports every block's full output, runs it whole.
//
// Grids other than the native one resample the patch position embeddings
// bicubically like HF interpolate_pos_encoding (HF checkpoints: plain
// bicubic, a = −0.75) or timm resample_abs_pos_embed (timm checkpoints:
// antialiased bicubic, a = −0.5). Forward allocates nothing once its
// buffers have grown to the largest batch seen; it is not safe for
// concurrent use. reference.go is the plain float64 specification the tests
// compare the fast path and PyTorch with.
//
// SetAttnHook (attn.go) hands every block's attention probabilities
// [B, H, T, T] to a callback, for vit explain; the fused attention never
// stores them, so a hooked Forward runs every block in full and computes
// them again from q and k. Without a hook Forward pays one nil check.
package model
