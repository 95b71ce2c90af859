// Package jpeg is a fork of Go's image/jpeg decoder that uses libjpeg's
// arithmetic where the two differ, so that decoded pixels equal what
// libjpeg-turbo (and so PIL) produces: the inverse DCT is libjpeg's
// jpeg_idct_islow (idct.go) with its range-limit table, and YCCK images are
// converted with libjpeg's YCbCr tables. Chroma upsampling and YCbCr→RGB
// of ordinary images are left to the caller (package preprocess). The
// encoder and the image.RegisterFormat call are omitted.
//
// DecodeOptions decodes a file in memory, with a fast path for sequential
// scans (fast.go) and, with Options.Scale, libjpeg's scaled decode
// (draft.go: 1/2, 1/4 or 1/8 in the DCT domain, what PIL's Image.draft
// asks for; equal to djpeg -scale 1/s on the tested files).
//
// Arithmetic-coded files (SOF9 sequential, SOF10 progressive) decode
// through arith.go, ITU-T T.81 Annex D and F.2.4 in the form of
// libjpeg-turbo's jdarith.c, hooked in at the frame marker and at the
// start of each scan.
//
// The inverse DCTs translate libjpeg's jidctint.c and jidctred.c, and the
// arithmetic decoder follows jdarith.c and jaricom.c; their notice is in
// LICENSE.ijg.
//
// # Upstream
//
// reader.go, scan.go and huffman.go are copied from src/image/jpeg of Go
// go1.26.8 (the release tag go1.26.8) and keep its
// BSD license (LICENSE in this directory). The changes to them are kept
// to small hooks into this package's own files; testdata/fork.diff lists
// every hunk, and TestForkDiff fails when the fork differs from that
// upstream in any other way:
//
//   - scan limit (MaxScans) and a cancellation check per MCU row;
//   - the IDCT of reconstructBlock is idct: idctIslow, or its AVX2
//     assembly (idct_amd64.s, bit for bit the same);
//   - processSOS hands sequential scans of a file in memory to the fast
//     path (fast.go: DecodeOptions), which falls back to the upstream scan
//     decoder on anything irregular, so results and errors are the same;
//   - makeImg and reconstructBlock defer to draft.go when decoding scaled;
//   - SOF9/SOF10 frames and DAC segments are read, and their scans
//     decoded by arith.go (arithmetic coding);
//   - frames of 2 unsubsampled components (libtiff's grey and alpha) are
//     read, and returned as an *image.NYCbCrA (grayAlpha).
//
// JPEG is defined in ITU-T T.81: https://www.w3.org/Graphics/JPEG/itu-t81.pdf.
package jpeg
