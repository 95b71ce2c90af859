// Package tiff is golang.org/x/image/tiff at module version v0.48.0
// (go.sum h1:1AvuPcuoOTJpA7s4VZ5umrb90T3So0rkB/bSGmxkxik=) with support for
// PlanarConfiguration 2 (each sample in its own strips or tiles), which
// upstream ignores, decoding such files to garbage without an error.
// Planes are read block by block and interleaved before the unchanged
// per-block decoding, so predictors, compressions and bit depths work as
// for contiguous samples. 2- and 4-bit grey and palette images, which the
// generic sub-byte path already reads, are accepted (upstream allows only
// 1, 8 and 16 bits), and so are 8-bit grey and palette images with an
// unassociated alpha sample (PIL's LA and PA), whose alpha is skipped as
// convert("RGB") drops it. JPEG compression (7) goes through the JPEG
// hook that package preprocess sets, with the JPEGTables tag: YCbCr
// converted to RGB, any other Photometric's components as coded, as
// libtiff asks libjpeg for them. Signed, 12-bit, 32-bit and float grey samples (PIL's
// modes I;16 and I, and F) decode to 8-bit grey as PIL's convert clips
// them (floats truncated, NaN 0). CCITT data (modified Huffman,
// RLEW, Group 3 1-D and 2-D, Group 4) goes through fax.go, a port of
// libtiff's decoder, instead of x/image/ccitt, which lacks all but
// Group 3 1-D and Group 4, inverts BlackIsZero files and gives up where
// libtiff recovers. YCbCr samples not JPEG-compressed (8-bit, any
// subsampling TIFFRGBAImage knows) become RGB in ycbcr.go as libtiff's
// TIFFRGBAImage converts them for PIL. Old-style JPEG (Compression 6)
// follows libtiff's tif_ojpeg.c in ojpeg.go: the JPEGInterchangeFormat
// stream, or headers built from the table tags, then the strips, decoded
// through the OldJPEG hook to raw planes and converted as YCbCr is.
// 8-bit CMYK, with up to two unspecified extra samples, and 16-bit CMYK
// (high bytes, as PIL's CMYK;16L) decode to
// image.CMYK (cmyk.go); CIELab (Photometric 8, three 8-bit samples, PIL's
// only LAB layout) is read as RGB and converted as PIL's convert("RGB")
// does through LittleCMS, bit for bit (cielab.go); RGB pixels may carry
// extra samples, skipped as
// PIL's RGBX and RGBAX raw modes skip them (samples.go); other unknown
// Photometric values are named in
// the unsupported error. WebP compression (50001, libtiff's tif_webp.c)
// goes through the WebP hook; Zstandard (50000, tif_zstd.c) through
// github.com/klauspost/compress/zstd (zstd.go); LZMA (34925, tif_lzma.c:
// .xz with a delta filter) through github.com/ulikunitz/xz/lzma
// (lzma.go). BigTIFF files (8-byte offsets, 20-byte IFD
// entries, LONG8 values) are read in both byte orders. The
// image.RegisterFormat calls are omitted, and x/image's internal safemath
// is copied to ./internal/safemath.
//
// reader.go, buffer.go, compress.go, consts.go and internal/safemath are
// copied from x/image and keep its BSD license (LICENSE in this
// directory). TestUpstreamDiff checks that they differ from that release
// only by the hunks recorded in testdata/upstream.diff.
package tiff
