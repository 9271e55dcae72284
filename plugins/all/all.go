// Package all registers every built-in plugin. Blank-import it in a main
// package (as cmd/hookpoint does) to compile them in:
//
//	import _ "github.com/hookpoint/hookpoint/plugins/all"
package all

import (
	_ "github.com/hookpoint/hookpoint/plugins/generic"
	_ "github.com/hookpoint/hookpoint/plugins/github"
	_ "github.com/hookpoint/hookpoint/plugins/gitlab"
	_ "github.com/hookpoint/hookpoint/plugins/job"
	_ "github.com/hookpoint/hookpoint/plugins/report"
	_ "github.com/hookpoint/hookpoint/plugins/resource"
)
