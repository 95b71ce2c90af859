// Package models holds the models built into the vit binary.
//
// The built-in model, fashion-vit, is a small Vision Transformer trained on
// Fashion-MNIST (ten clothing classes, 28×28 grayscale). It is stored in the
// Hugging Face ViTForImageClassification layout (config.json,
// preprocessor_config.json, model.safetensors) under FS, so a fresh binary
// classifies images offline. scripts/train_builtin.py made it; its model card
// is fashion-vit/README.md.
package models
