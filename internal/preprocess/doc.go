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
//   - Decode reads JPEG, PNG, GIF (first frame), BMP (./bmp: every
//     variant PIL reads), TIFF (./tiff: x/image's reader with planar,
//     new- and old-style JPEG, YCbCr, BigTIFF, CCITT, sub-byte, numeric
//     and alpha variants) and WebP
//     (first frame of an animation). It sniffs the format from the first
//     16 bytes and reads only the header before checking it against
//     Limits; it never panics. Errors are *DecodeError values naming the
//     file, whose kind matches ErrEmpty, ErrTruncated, ErrUnknownFormat,
//     ErrTooLarge, ErrOverBudget, ErrCanceled, ErrCorrupt or ErrUnsupported
//     with errors.Is; an unsupported valid file reads "unsupported: <what>"
//     (README lists them), and so does a file of another format PIL reads
//     (ICO, Netpbm, JPEG 2000, DDS, SGI, PCX), known by its signature. The *Decoded result carries the orientation
//     PIL's getexif() finds (JPEG APP1, PNG eXIf or ImageMagick raw-profile
//     text or XMP tiff:Orientation, WebP EXIF, TIFF) and the limits, for
//     Pixels.
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
//   - Draft: with Limits.Draft, Recipe.Load decodes a JPEG at 1/2, 1/4 or
//     1/8 scale in the DCT domain when the recipe's resize size allows it,
//     as PIL's Image.draft does (equal to it on the fixtures); opt-in, as
//     the pixels are then not the reference pipeline's.
//   - Speed: JPEG scans of a file in memory take ./jpeg's fast path
//     (restart intervals in parallel), the IDCT, YCbCr→RGB and the
//     horizontal resize of YCbCr JPEGs run in AVX2 assembly where the CPU
//     has it (planar.go; -tags purego: Go), all bit for bit the Go code.
//   - Recipe.Pixels (and Recipe.Load = Decode + Pixels) writes [C, H, W]
//     float32. It is safe for concurrent use; each call allocates its own
//     scratch, bounded by the crop window and one source row: the
//     vertical resize pass streams rows into fixed-point sums. The model
//     cuts these pixels into patches itself (internal/model).
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
// libjpeg's IDCT) plus the chroma upsampler libjpeg-turbo picks (fancy
// h2v1/h2v2 when the chroma plane is over 2 samples wide, else
// replication; h1v2 fancy for 4:4:0) and its YCbCr tables; lossy WebP
// uses libwebp's upsampler and YUV constants; CIELab TIFF goes through
// LittleCMS's optimized Lab→sRGB transform (tiff/cielab.go); TIFF
// associated alpha is un-premultiplied as PIL's RGBa unpacker does; GIF
// LZW follows GifDecode.c. Every fixture in testdata/preprocess (and its decode/
// directory of decoder cases), JPEG included, matches exactly.
//
// # Where vit departs from PIL 9.4
//
// vit follows PIL 9.4 even where its result is arguably wrong, except where
// that PIL misreads a file outright; there vit decodes what the file says:
//
//   - TIFF orientation. PIL 9.4 applies a TIFF's Orientation tag twice:
//     TiffImagePlugin.load_end transposes the pixels when the image loads,
//     and ImageOps.exif_transpose, still seeing the tag, transposes them
//     again (so 6 ends up rotated 180° instead of 90°, 2 not flipped at
//     all). Later Pillow releases fixed this. vit applies it once.
//
// Each departure is checked by a decoder fixture compared with a twin PIL
// reads right (SAME_AS in scripts/make_decode_fixtures.py: a PNG of the
// same pixels whose orientation PIL applies once, a compressed or
// little-endian copy of the same samples), the BMP ones by package bmp's
// tests.
//   - Uncompressed 16-bit TIFF with separate planes (PlanarConfiguration
//     2): PIL 9.4 reads each plane with an 8-bit unpacker (a band's raw
//     mode is one letter of "RGB;16L"), so it returns garbage. vit decodes
//     the samples (their high byte, as PIL does for the compressed ones,
//     which libtiff reads).
//   - Uncompressed TIFF with separate planes and associated alpha: PIL 9.4
//     refuses it ("unknown raw mode"); vit decodes it as it does the
//     compressed ones.
//   - Uncompressed YCbCr TIFF: PIL 9.4 decodes it with its own raw
//     unpacker as if it were RGBX, 4 bytes a pixel (garbage, and ignoring
//     subsampling); vit converts it as libtiff does the compressed ones,
//     which PIL reads through TIFFRGBAImage.
//   - Big-endian BigTIFF: PIL 9.4 checks only the little-endian BigTIFF
//     signature and then fails to open it; vit reads both byte orders.
//   - Big-endian 16-bit CMYK TIFF: PIL 9.4 knows only CMYK;16L; vit keeps
//     each sample's high byte in either byte order, as PIL does for the
//     little-endian ones.
//   - CIELab TIFF with separate planes: PIL 9.4 reads the a* and b*
//     planes with its band raw modes "A" and "B", which take the signed
//     samples for unsigned (a* = 0 becomes -128); vit reads them as it
//     reads contiguous CIELab.
//   - BMP files PIL 9.4 misreads (RLE deltas, odd RLE4 absolute runs, RLE
//     data ending early, 4/8-bit files whose palette is black and white or
//     a grey ramp): see package bmp.
package preprocess
