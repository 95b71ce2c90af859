package tiff

import "image"

// cWebP is libtiff's WebP compression (tif_webp.c).
const cWebP = 50001

// JPEG, when set, decodes one strip or tile of a Compression 7 (JPEG)
// TIFF: tables is the JPEGTables tag (nil when absent), data the strip's
// JPEG stream, ycbcr whether the Photometric is YCbCr. It returns w×h
// pixels of the given number of 8-bit samples, rows packed, as libtiff
// hands them to PIL (YCbCr converted to RGB, other components as coded).
// Package preprocess sets it, so that the conversion is the one its JPEG
// path uses; this package cannot import that one.
var JPEG func(tables, data []byte, w, h, samples int, ycbcr bool) ([]byte, error)

// OldJPEG, when set, decodes the JPEG stream of an old-style JPEG
// (Compression 6) TIFF to its component planes, neither upsampled nor
// colour-converted (an *image.YCbCr), as libjpeg's raw_data_out hands
// them to libtiff. Package preprocess sets it.
var OldJPEG func(stream []byte) (image.Image, error)

// WebP, when set, decodes one strip or tile of a WebP-compressed TIFF
// (Compression 50001): data is a WebP file of at most w×h pixels. It
// returns w×h pixels of samples (3 or 4) bytes, rows packed, as libtiff's
// WebPDecode into MODE_RGB or MODE_RGBA gives them. Package preprocess
// sets it, so that lossy data is converted as its WebP path converts it.
var WebP func(data []byte, w, h, samples int) ([]byte, error)
