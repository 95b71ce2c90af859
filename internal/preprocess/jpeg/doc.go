// Package jpeg is a fork of Go's image/jpeg decoder (Go 1.26) that uses
// libjpeg's arithmetic where the two differ, so that decoded pixels equal what
// libjpeg-turbo (and so PIL) produces: the inverse DCT is libjpeg's
// jpeg_idct_islow (idct.go) with its range-limit table, and YCCK images are
// converted with libjpeg's YCbCr tables. Arithmetic-coded files (SOF9,
// SOF10) decode through arith.go, a port of libjpeg-turbo's jdarith.c,
// hooked in at the frame marker and at the start of each scan. Chroma
// upsampling and YCbCr→RGB of ordinary images are left to the caller
// (package preprocess). The encoder and the image.RegisterFormat call are
// omitted.
//
// reader.go, scan.go and huffman.go are copied from the Go source tree and
// keep its BSD license (LICENSE in this directory).
//
// JPEG is defined in ITU-T T.81: https://www.w3.org/Graphics/JPEG/itu-t81.pdf.
package jpeg
