//go:build !unix

package rusage

import "time"

// CPUTime is 0 where the system has no getrusage.
func CPUTime() time.Duration { return 0 }
