package tiff

import "image"

// JPEG, when set, decodes one strip or tile of a Compression 7 (JPEG)
// TIFF: tables is the JPEGTables tag (nil when absent), data the strip's
// JPEG stream. It returns w×h pixels of the given number of 8-bit
// samples, rows packed, as libtiff hands them to PIL (YCbCr converted to
// RGB). Package preprocess sets it, so that the conversion is the one
// its JPEG path uses; this package cannot import that one.
var JPEG func(tables, data []byte, w, h, samples int) ([]byte, error)

// OldJPEG, when set, decodes the JPEG stream of an old-style JPEG
// (Compression 6) TIFF to its component planes, neither upsampled nor
// colour-converted (an *image.YCbCr), as libjpeg's raw_data_out hands
// them to libtiff. Package preprocess sets it.
var OldJPEG func(stream []byte) (image.Image, error)
