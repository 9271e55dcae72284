//go:build !unix

package pressure

import "time"

// processCPUTime is not measured here: the gauge never reports saturation.
func processCPUTime() time.Duration { return 0 }
