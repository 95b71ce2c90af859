//go:build !linux && amd64 && gc && !purego

package kernels

// requestAMX: the AMX kernels run only where the permission request is
// known (Linux).
func requestAMX() bool { return false }
