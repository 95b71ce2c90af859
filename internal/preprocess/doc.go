// Package preprocess turns image files into the tensors a model wants:
// Decode → Resize → Crop → Normalize, driven by a Recipe read from the
// model's own configuration, never from constants. The model cuts the
// normalized pixels into patches itself.
//
// Letters used in shapes: C channels, H height, W width.
//
// # Contract
//
//   - Recipes: ParseHF reads preprocessor_config.json (ViT and DeiT image
//     processors and their legacy feature extractors, with each class's
//     defaults for absent fields); ParseTimm reads a timm pretrained_cfg and
//     builds timm's eval transform; DefaultHF gives the processor defaults
//     when a checkpoint has neither. Recipe.Size and Recipe.Channels give the
//     model input.
//   - Decode reads JPEG, PNG, GIF (first frame), BMP, TIFF and WebP. It
//     checks the header against Limits before decoding and returns a
//     *DecodeError naming the file, whose kind matches ErrEmpty,
//     ErrTruncated, ErrUnknownFormat, ErrTooLarge, ErrCorrupt or
//     ErrUnsupported with errors.Is. It never panics. The *Decoded result
//     carries the EXIF orientation (JPEG APP1, PNG eXIf, WebP EXIF, TIFF).
//   - Recipe.Pixels (and Recipe.Load = Decode + Pixels) writes [C, H, W]
//     float32. It is safe for concurrent use; each call allocates its own
//     scratch.
//
// # Fidelity
//
// The reference is what HF transformers and timm produce with PIL 9.4 and
// torchvision 0.14 after ImageOps.exif_transpose: conversion follows PIL's
// convert("RGB") / convert("L") (alpha dropped, PIL's integer luma, CMYK and
// 16-bit rules), resampling is PIL's Resample.c in fixed point (bit-exact
// for all six filters), crops use each library's rounding and padding, and
// rescale/normalize repeat their float32 arithmetic. Decoding matches the
// C libraries PIL uses: JPEG goes through ./jpeg (Go's decoder with
// libjpeg's IDCT) plus libjpeg's fancy chroma upsampling and YCbCr tables;
// lossy WebP uses libwebp's upsampler and YUV constants. Every fixture in
// testdata/preprocess, JPEG included, matches exactly.
package preprocess
