// Package classify is vit's engine for per-image runs: it turns a stream
// of image paths into one record per input, in input order, with a model.
// A run classifies (top-k labels) by default; Options.Record makes it
// compute something else from each image's row of model output (an
// embedding with NewEmbedder and EmbedRecord, an attention map), reusing
// the inputs, walking, batching, error records and ordered output.
//
//   - Inputs: files, directories walked in a fixed order, "-" (standard
//     input), a list of files (FilesFrom), and a deterministic Shard of
//     them all.
//   - Run: the bounded pipeline (walk → decode workers → batched Forward →
//     ordered writer); memory stays flat whatever the number of inputs.
//   - RecordWriter: the text, json, jsonl and csv formats; NPYWriter for
//     embeddings as one NumPy matrix.
//   - the top-k of one row of logits, as softmax probabilities or logits.
//   - Model: what Run needs from a model; NewModel adapts a loaded
//     *model.Model as a classifier, NewEmbedder for its pooled vectors,
//     OpenModel finds one by name, Bench times one.
//
// The package never prints and never exits: warnings go to the
// Options.Warn callback, records to the RecordWriter, and failures come
// back as errors (or as error records, for one input).
//
// Letters in shape comments: B images in a batch, L classes, C channels,
// H×W pixels, P patch side, gh×gw the patch grid.
package classify
