// Package preprocess turns image files into the tensors a model wants:
// Decode → Resize → Crop → Normalize → Patchify, driven by a Recipe read
// from the model's own configuration, never from constants.
//
// Letters used in shapes: C channels, H height, W width, P patch size,
// N patches ((H/P)·(W/P)).
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
//     sniffs the format from the first 16 bytes and reads only the header
//     before checking it against Limits; it never panics. Errors are
//     *DecodeError values naming the file, whose kind matches ErrEmpty,
//     ErrTruncated, ErrUnknownFormat, ErrTooLarge, ErrOverBudget,
//     ErrCanceled, ErrCorrupt or ErrUnsupported with errors.Is. The
//     *Decoded result carries the EXIF orientation (JPEG APP1, PNG eXIf,
//     WebP EXIF, TIFF) and the limits, for Pixels.
//   - Memory budget: each image may use Limits.MaxMemory bytes
//     (DefaultMaxMemory, 256 MiB, when 0): the file's bytes, the decoder's
//     buffers and output image, and Pixels' colour conversion and resize
//     scratch. Every part is estimated from header facts (size, channels,
//     bit depth, subsampling, progressive coefficients, TIFF strips) and
//     checked before it is allocated; over budget the kind is
//     ErrOverBudget and errors.As finds a *BudgetError with the need and
//     the limit. Files far too short for the pixels they claim (PNG,
//     sequential JPEG, GIF, uncompressed BMP) are ErrTruncated before any
//     pixel is allocated. JPEG files may have at most jpeg.MaxScans scans.
//   - Cancellation: when Limits.Context is done, Decode stops within one
//     buffer fill (the JPEG decoder also once per MCU row) and Pixels
//     within 64 rows, with kind ErrCanceled wrapping the context's error.
//   - Recipe.Pixels (and Recipe.Load = Decode + Pixels) writes [C, H, W]
//     float32. It is safe for concurrent use; each call allocates its own
//     scratch, bounded by the crop window and one source row: the
//     vertical resize pass streams rows into fixed-point sums.
//   - Patchify writes [N, C·P·P], each row in the conv weight's [C, P, P]
//     order.
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
