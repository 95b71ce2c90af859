//go:build !unix

package hub

// oNoFollow is 0 where the open flag does not exist; download checks the
// file with Lstat first.
const oNoFollow = 0
