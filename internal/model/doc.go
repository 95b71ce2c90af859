// Package model loads Vision Transformer checkpoints (Hugging Face ViT and
// DeiT, timm ViT) and runs the encoder.
//
// Letters used in shapes: B batch, T tokens (patches + class/distillation
// tokens), Np patches, D width, H heads, Dh = D/H head width, F MLP width,
// C channels, P patch size, L classes.
package model
