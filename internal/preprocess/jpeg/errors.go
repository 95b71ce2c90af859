package jpeg

// ErrNoAdobe is the error (by value: errors.Is matches it) for a
// 4-component JPEG without an Adobe APP14 marker, which applyBlack does
// not convert; libjpeg takes such a file for CMYK as coded.
var ErrNoAdobe = UnsupportedError("unknown color model: 4-component JPEG doesn't have Adobe APP14 metadata")
