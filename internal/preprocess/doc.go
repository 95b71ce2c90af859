// Package preprocess turns image files into the tensors a model wants:
// Decode → Resize → Crop → Normalize → Patchify, driven by a Recipe read
// from the model's own configuration, never from constants.
//
// Letters used in shapes: C channels, H height, W width, P patch size.
package preprocess
