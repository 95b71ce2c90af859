// Package hub finds and downloads models in the standard Hugging Face cache,
// so that checkpoints fetched by Python tools (transformers, timm,
// huggingface_hub) are found by vit and the other way round.
//
// Cache directory (CacheDirFromEnv): $HF_HUB_CACHE, else the legacy
// $HUGGINGFACE_HUB_CACHE, else $HF_HOME/hub, else
// $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub.
//
// Layout, exactly as huggingface_hub writes it:
//
//	<cache>/models--ORG--NAME/
//	    refs/<revision>              commit hash of a branch or tag (40 hex, no newline)
//	    snapshots/<commit>/<file>    relative symlink → ../../blobs/<etag>
//	    blobs/<etag>                 file contents; <etag> is the git blob SHA-1 of a
//	                                 small file or the SHA-256 of a large (LFS) file
//	    blobs/<etag>.incomplete      a download in progress (resumed with Range)
//	    .no_exist/<commit>/<file>    empty marker: file absent at that commit
//	<cache>/.locks/models--ORG--NAME/<etag>.lock   flock guarding one blob
//
// Model ids are ORG/NAME[@REVISION] (ParseID); REVISION is a branch, a tag or
// a full 40-hex commit hash and defaults to "main". Resolve maps an id to its
// snapshot directory without touching the network and fails with
// ErrNotCached unless the snapshot holds config.json and safetensors weights
// (model.safetensors, or model.safetensors.index.json and all its shards).
//
// Client.Pull fetches {endpoint}/{repo}/resolve/{rev}/{file} the way
// huggingface_hub does: a HEAD that follows only relative redirects reads
// X-Repo-Commit, X-Linked-Etag (else ETag) and X-Linked-Size (else
// Content-Length); the GET then goes to the redirect target (the CDN for large
// files, without the Authorization header when the host differs). Every blob is
// written to blobs/<etag>.incomplete, checked for size (and SHA-256 when the
// etag is one), renamed into place, then linked from snapshots/, and
// refs/<rev> is written last. An interrupted pull never leaves a partial file
// in snapshots/.
//
// Errors are wrapped with the model id and file name and carry a sentinel
// (ErrNotCached, ErrUnauthorized, ErrNotFound, ErrOffline, ErrOfflineMode,
// ErrNoSafetensors, ErrSizeMismatch, ErrChecksum, ErrBadID) for errors.Is;
// cmd/vit matches ErrNotCached (to fall back to a download) and prints the
// rest as they are. The package never prints: progress goes to
// Client.Progress.
package hub
