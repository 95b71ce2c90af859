// Package safetensors reads and validates safetensors files, the weight
// format of Hugging Face and timm checkpoints and of the test fixtures.
//
// A file is
//
//	[8]byte   N, the header length, little-endian uint64
//	[N]byte   the header: a JSON object, padded with trailing spaces
//	[...]byte the data section: every tensor's bytes, back to back
//
// The header maps each tensor name to
//
//	{"dtype": "F32", "shape": [768, 3, 16, 16], "data_offsets": [begin, end]}
//
// with offsets relative to the data section, plus an optional
// "__metadata__" object of string values. Elements are little-endian,
// rows are row-major (the last dimension varies fastest).
//
// Parse and ReadHeader accept a file only when: the header length fits the
// file and MaxHeader (checked before the header is allocated); the header
// is one JSON object with no duplicate keys and nothing but padding after
// it; every dtype is F32, F16, BF16, U8 or I64; every shape is present, has no
// negative dimension and does not overflow; every tensor's offsets are in
// order, inside the data section, and hold exactly shape × dtype size
// bytes; and the tensors tile the data section with no gap or overlap.
// Errors say which check failed and name the tensor; they never name the
// file, which the caller does.
//
// The package imports only the standard library.
package safetensors
