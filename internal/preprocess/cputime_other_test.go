//go:build !unix

package preprocess

import "time"

// cpuTime is 0 where getrusage is missing: reportCPU then reports nothing.
func cpuTime() time.Duration { return 0 }
