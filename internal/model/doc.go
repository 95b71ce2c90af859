// Package model loads Vision Transformer checkpoints (Hugging Face ViT,
// ViTMSN, DeiT, Dinov2, Dinov2WithRegisters, Beit and Data2VecVision;
// timm's VisionTransformer,
// distilled DeiT, BEiT, VisionTransformerRelPos and Eva: EVA-01, EVA-02,
// the RoPE ViTs and the Perception Encoder) and runs the encoder.
//
// Letters used in shapes: B batch, T tokens (prefix + patches), Np patches
// = gh·gw, D width, H heads, Dh = D/H head width, F MLP width, C channels,
// P patch size, L classes, R register tokens, D' the width the head reads
// (D, or 2D for Dinov2); the prefix (pre tokens) is the class token if
// any, then the distillation token for DeiT or the R registers. In pixels
// [B, C, H, W], H and W are the image's height and width (gh = H/P,
// gw = W/P).
//
// # Loading
//
// Load reads config.json, model.safetensors (or the shards named by
// model.safetensors.index.json) and, when present,
// preprocessor_config.json. The safetensors files are memory-mapped; the
// header is validated before anything else is read (length within the
// file and under 100 MB, known dtype F32/F16/BF16, shape × dtype size =
// byte length, tensors tiling the data section with no gap or overlap;
// int64 relative_position_index buffers of Hugging Face BEiT are dropped,
// as transformers drops them).
// The layout is detected from the keys (layout.go has one key table per
// layout) and every tensor is bound to exactly one parameter with its exact
// shape, or Load fails naming the key and both shapes. Matrices stored as
// aligned little-endian F32 are then used in place in the mapping
// (kernels.PackB only wraps them; Hugging Face's separate q, k, v weights
// become one operand with kernels.StackB), so opening reads the headers
// and the small tensors and no other page of the file. F16, BF16 and
// unaligned matrices are converted to float32 once, and vectors, tokens and
// position embeddings copied; the pages of what was copied are dropped
// from the resident set. With Options.Precision bf16 or int8 the encoder
// blocks' matrices are converted to it one tensor at a time as they are
// reached (a BF16 tensor's bits used as they are, or quantized a row at
// a time), so no more than one tensor exists in float32 at once. The
// file stays mapped until Close, after which Forward returns an error.
//
// Config carries every field that changes the math: dimensions, the MLP
// activation (HF hidden_act: gelu is the exact erf GELU; gelu_new,
// gelu_pytorch_tanh and gelu_fast the tanh form; quick_gelu; relu),
// layer_norm_eps (HF default 1e-12, ViTMSN and Dinov2 1e-6, timm 1e-6 or
// as its norm_layer says), qkv_bias, channels, the labels (HF id2label;
// timm label_names, else ImageNet-1k for 1000 classes), and the optional
// terms of the forward pass below, each off for the plain ViT. A timm
// config names an architecture: timm_archs.json (written by
// scripts/timm_registry.py from timm's source) gives the class and the
// constructor arguments timm builds it with, the config's model_args
// override them, and every argument is read, inference-neutral (dropout,
// init) or refused naming the feature ("unsupported: MAP attention-pool
// head"). TimmClassifierTags lists timm's pretrained classifier tags with
// what Load makes of each.
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
//	x = [cls; dist | reg; patches·Wpᵀ + bp] + pos      // [B·T, D]
//	x = LNpre(x)                                       // norm_pre (timm pre_norm, CLIP)
//	for each block:
//	    q|k|v = LN1(x)·Wqkvᵀ + bqkv;  q, k = rope(q), rope(k)
//	    x += γ1 ⊙ proj(LNa(softmax(q·kᵀ/√Dh + Brel)·v))
//	    x += γ2 ⊙ fc2(LNm(act(fc1(LN2(x)))))           // or with SwiGLU:
//	    x += γ2 ⊙ fc2(LNm(silu(fc1g(LN2(x))) ⊙ fc1x(LN2(x))))
//	x = LN(x)                                          // unless fc_norm takes its place
//	p = x[:, 0]                                        // token pooling: ViT, DeiT
//	  | mean(x[:, pre:])                               // average pooling: timm avg, BEiT
//	  | [x[:, 0]; mean(x[:, pre:])]                    // HF Dinov2 [2D], registers excluded
//	  | MAP(x)                                         // attention pool (SigLIP, PE): MAPHead
//	logits = head(LNfc(p))                             // fc_norm (timm avg pooling)
//	logits = (head(x[:, 0]) + head_dist(x[:, 1])) / 2  // DeiT with teacher
//
// Each optional term is absent in the plain ViT: the class token (timm
// class_token=False), the registers (reg_tokens, HF register_tokens), pos
// (none for BEiT with relative bias; covering the patches only with timm
// no_embed_class, the class token and patches for HF
// Dinov2WithRegisters), bp (none with pre_norm), LNpre, layer scale γ1,
// γ2 (timm ls1/ls2.gamma, BEiT gamma_1/2, HF layer_scale1/2.lambda1:
// folded into the rows of proj and fc2 when loading), BEiT's bqkv without
// a k bias (q_bias, v_bias) and relative position bias Brel [H, T, T]
// (each block's table gathered by timm's relative_position_index, or
// for timm's VisionTransformerRelPos computed by a small MLP of the log
// relative coordinates, per block or shared, none for the class token;
// added by kernels.AttentionPanelsBias), rope (Eva's rotary embedding of the
// patch tokens' q and k, see Rope; fixed, or learned per block and head
// with Rope.Mixed), the LayerNorms inside the attention
// LNa and the MLP LNm (timm scale_attn_norm/scale_mlp_norm, Eva
// scale_attn_inner/scale_mlp), SwiGLU (Eva swiglu_mlp: fc1 rows gate | x,
// from fc1_g and fc1_x or one packed fc1), separate q, k, v matrices (Eva
// qkv_fused=False: one operand like Hugging Face's), the final LN or LNfc.
// Differential attention (timm attn_layer "diff", see DiffAttn) replaces
// softmax(q·kᵀ/√Dh)·v by the difference of two half-width maps, λ-weighted
// and RMS-normed per head. A parallel block (timm ParallelScalingBlock)
// feeds LN1(x) to both branches, x += Attn(LN1(x)) + MLP(LN1(x)), its
// in_proj rows fc1 | q | k | v bound to both (layout.go rowRange); with
// differential attention (DiffParallelScalingBlock) its one out_proj over
// [attn | mlp] is bound as column ranges to proj and fc2 (colRange).
// Post-norm blocks (timm ResPostBlock, ResPostRelPosBlock, Eva
// use_post_norm) norm each branch's output instead of its input:
// x += LN1(proj(…)) with q|k|v = x·Wqkvᵀ + bqkv; x += LN2(fc2(…(x))).
//
// The residual stream x lives in token panels (kernels.Panels) from the
// embeddings to the final LayerNorm: LayerNorm, q|k|v, attention, the
// MLP's hidden layer and the residual adds of the projections all read and
// write that layout, so no activation is transposed back to rows inside a
// block. With token pooling only the prefix tokens of the last block
// reach the head, so Forward runs that block for them alone (other
// pooling, and the terms lastBlock lacks: relative position bias, rope,
// LNa, LNm, SwiGLU, run it whole): LN1 and k|v for every token,
// then q, attention (kernels.AttentionPrefix), the projection and the MLP
// for the prefix rows (1/197 of that work at 224×224, 7% of ViT-B/16's
// FLOPs saved; Model.ForwardFLOPs counts what is performed).
// ForwardHidden, which reports every block's full output, runs it whole.
//
// Grids other than the native one resample the patch position embeddings
// bicubically like HF interpolate_pos_encoding (HF checkpoints: plain
// bicubic, a = −0.75) or timm resample_abs_pos_embed (timm checkpoints:
// antialiased bicubic, a = −0.5); a relative position bias is learned
// for the native grid only, and other grids are refused. Forward
// allocates nothing once its
// buffers have grown to the largest batch seen; it is not safe for
// concurrent use. reference.go is the plain float64 specification the tests
// compare the fast path and PyTorch with.
//
// SetAttnHook (attn.go) hands every block's attention probabilities
// [B, H, T, T] to a callback, for vit explain; the fused attention never
// stores them, so a hooked Forward runs every block in full and computes
// them again from q and k. Without a hook Forward pays one nil check.
package model
