// Package kernels holds the numeric kernels of the encoder: SGEMM with a
// fused epilogue, attention, LayerNorm, softmax and GELU, and the worker pool
// that spreads them over the cores. It knows nothing of models.
//
// Letters used in shapes: M rows of A and C, N columns of C (rows of a
// packed weight), K the shared dimension; B batch, T tokens, H heads,
// Dh head width.
//
// All matrices are float32, row-major, with an explicit leading dimension
// (the distance in elements between the starts of two rows).
package kernels
