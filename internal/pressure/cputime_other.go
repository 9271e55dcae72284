//go:build !unix

package pressure

import "time"

// cpuTime is not measured here: the gauge never reports saturation.
func cpuTime() time.Duration { return 0 }
