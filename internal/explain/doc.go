// Package explain shows where a Vision Transformer looked: it reads the
// attention probabilities a model hands to its hook (model.SetAttnHook)
// and turns them into the relevance of each patch, then draws that
// relevance over the image.
//
//   - Relevance (relevance.go): the methods Rollout (attention rollout,
//     the default), Last (the last block's class-token attention) and
//     Logit (rollout with the last block's heads weighted by their direct
//     contribution to the top-1 logit). The rows read are the class
//     token's; with a distillation head (DeiT distilled, whose logits
//     average two heads) the mean of the class and distillation tokens'
//     rows; a model without prefix tokens (global average pooling) reads
//     the mean of every token's row, the attention of the pooled query,
//     and Logit is then plain rollout.
//   - Explainer (explainer.go): a batch of images in, logits and the
//     relevance grids out.
//   - Drawing (render.go): the grid normalized to [0, 1], resized smoothly
//     to the image (imaging, bilinear), coloured with viridis (the
//     published table), blended over the image; a caption strip of the
//     top-k labels in Go Regular (x/image/font/gofont); a contact sheet.
//   - Run (run.go) and Writer (writer.go): an explain run on classify's
//     engine (same inputs, walking, batching and error records), one
//     overlay file and one record per image.
//
// Letters in shape comments: B images, L classes, T tokens (prefix +
// patches), H heads, Q query rows, Np = gh·gw patches of the gh×gw grid.
package explain
