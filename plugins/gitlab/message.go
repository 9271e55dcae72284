package gitlab

import (
	"fmt"
	"github.com/hookpoint/hookpoint/sdk"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Limits on text copied from payloads into chat messages, in runes.
const (
	maxLineRunes  = 200
	maxFieldRunes = 300
	// maxListedJobs is how many failed jobs a pipeline message names.
	maxListedJobs = 5
)

// zeroSHA is the before or after of a push that creates or deletes a ref.
const zeroSHA = "0000000000000000000000000000000000000000"

// pushMessage formats a push event:
//
//	📦 Push to group/project
//	By: Jane Doe
//	Branch: main
//	Commits: 4
//	Latest: <first line of the newest commit's message>
//	<URL of the newest commit, or of the project>
//
// A deleted branch gives "Branch <name> deleted" instead of the commit
// lines; a new one is marked "(new)".
func pushMessage(e *PushEvent) string {
	var b strings.Builder
	fmt.Fprintf(&b, "📦 Push to %s\n", orUnknown(e.Project.PathWithNamespace, "project"))
	fmt.Fprintf(&b, "By: %s\n", orUnknown(userName(e.UserName, e.UserUsername), "user"))
	if e.After == zeroSHA {
		fmt.Fprintf(&b, "%s deleted", sdk.Clip(refName(e.Ref), maxFieldRunes))
		if e.Project.WebURL != "" {
			fmt.Fprintf(&b, "\n%s", sdk.Clip(e.Project.WebURL, maxFieldRunes))
		}
		return b.String()
	}
	if e.Ref != "" {
		line := sdk.Clip(refLine(e.Ref), maxFieldRunes)
		if e.Before == zeroSHA {
			line += " (new)"
		}
		fmt.Fprintf(&b, "%s\n", line)
	}
	fmt.Fprintf(&b, "Commits: %d", commitCount(e))
	link := e.Project.WebURL
	if c := latestCommit(e); c != nil {
		fmt.Fprintf(&b, "\nLatest: %s", orUnknown(commitTitle(c), "commit message"))
		if c.URL != "" {
			link = c.URL
		}
	}
	if link != "" {
		fmt.Fprintf(&b, "\n%s", sdk.Clip(link, maxFieldRunes))
	}
	return b.String()
}

// tagPushMessage formats a tag push event:
//
//	🏷️ Tag v1.0.0 pushed to group/project
//	By: Jane Doe
//	Commit: <first line of the tagged commit's message>
//	https://gitlab.example.com/group/project/-/tags/v1.0.0
//
// A deleted tag gives "🏷️ Tag v1.0.0 deleted in group/project".
func tagPushMessage(e *PushEvent) string {
	tag := sdk.Clip(strings.TrimPrefix(e.Ref, "refs/tags/"), maxFieldRunes)
	project := orUnknown(e.Project.PathWithNamespace, "project")
	var b strings.Builder
	if e.After == zeroSHA {
		fmt.Fprintf(&b, "🏷️ Tag %s deleted in %s\n", orUnknown(tag, "tag"), project)
		fmt.Fprintf(&b, "By: %s", orUnknown(userName(e.UserName, e.UserUsername), "user"))
		if e.Project.WebURL != "" {
			fmt.Fprintf(&b, "\n%s", sdk.Clip(e.Project.WebURL, maxFieldRunes))
		}
		return b.String()
	}
	fmt.Fprintf(&b, "🏷️ Tag %s pushed to %s\n", orUnknown(tag, "tag"), project)
	fmt.Fprintf(&b, "By: %s", orUnknown(userName(e.UserName, e.UserUsername), "user"))
	if c := latestCommit(e); c != nil {
		fmt.Fprintf(&b, "\nCommit: %s", orUnknown(commitTitle(c), "commit message"))
	}
	if link := tagURL(e.Project.WebURL, strings.TrimPrefix(e.Ref, "refs/tags/")); link != "" {
		fmt.Fprintf(&b, "\n%s", sdk.Clip(link, maxFieldRunes))
	}
	return b.String()
}

// tagURL returns the page of a tag, or the project's page when the tag
// has no name.
func tagURL(project, tag string) string {
	if project == "" || tag == "" {
		return project
	}
	segs := strings.Split(tag, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return project + "/-/tags/" + strings.Join(segs, "/")
}

// refName names a ref for a deletion: "Branch main", "Tag v1" or
// "Ref refs/x".
func refName(ref string) string {
	switch {
	case strings.HasPrefix(ref, "refs/heads/"):
		return "Branch " + strings.TrimPrefix(ref, "refs/heads/")
	case strings.HasPrefix(ref, "refs/tags/"):
		return "Tag " + strings.TrimPrefix(ref, "refs/tags/")
	case ref == "":
		return "Ref (unknown)"
	}
	return "Ref " + ref
}

// refLine names the branch or tag pushed to: "Branch: main".
func refLine(ref string) string {
	kind, name, _ := strings.Cut(refName(ref), " ")
	return kind + ": " + name
}

// commitCount returns the number of pushed commits: GitLab lists at most
// 20 but counts them all in total_commits_count.
func commitCount(e *PushEvent) int {
	return max(e.TotalCommitsCount, len(e.Commits))
}

// latestCommit returns the commit the ref now points to, or the last
// listed commit (GitLab lists commits oldest first), or nil.
func latestCommit(e *PushEvent) *Commit {
	for _, sha := range []string{e.After, e.CheckoutSHA} {
		for i := range e.Commits {
			if sha != "" && e.Commits[i].ID == sha {
				return &e.Commits[i]
			}
		}
	}
	if n := len(e.Commits); n > 0 {
		return &e.Commits[n-1]
	}
	return nil
}

func commitTitle(c *Commit) string {
	if t := sdk.FirstLine(c.Title, maxLineRunes); t != "" {
		return t
	}
	return sdk.FirstLine(c.Message, maxLineRunes)
}

// mergeRequestMessage formats a merge request event:
//
//	🔀 Merge request !1 opened in group/project
//	Title: Fix the thing
//	Branches: fix-thing → main
//	By: Jane Doe
//	https://gitlab.example.com/group/project/-/merge_requests/1
func mergeRequestMessage(e *MergeRequestEvent) string {
	a := e.ObjectAttributes
	var b strings.Builder
	fmt.Fprintf(&b, "🔀 Merge request !%d %s in %s\n", a.IID, orUnknown(pastTense(a.Action, a.State), "action"), orUnknown(e.Project.PathWithNamespace, "project"))
	fmt.Fprintf(&b, "Title: %s\n", orUnknown(sdk.FirstLine(a.Title, maxLineRunes), "title"))
	if a.SourceBranch != "" || a.TargetBranch != "" {
		fmt.Fprintf(&b, "Branches: %s → %s\n", orUnknown(a.SourceBranch, "branch"), orUnknown(a.TargetBranch, "branch"))
	}
	fmt.Fprintf(&b, "By: %s", orUnknown(userName(e.User.Name, e.User.Username), "user"))
	if a.URL != "" {
		fmt.Fprintf(&b, "\n%s", sdk.Clip(a.URL, maxFieldRunes))
	}
	return b.String()
}

// issueMessage formats an issue event:
//
//	📝 Issue #23 opened in group/project
//	Title: Spelling error
//	By: Jane Doe
//	https://gitlab.example.com/group/project/-/issues/23
func issueMessage(e *IssueEvent) string {
	a := e.ObjectAttributes
	var b strings.Builder
	fmt.Fprintf(&b, "📝 Issue #%d %s in %s\n", a.IID, orUnknown(pastTense(a.Action, a.State), "action"), orUnknown(e.Project.PathWithNamespace, "project"))
	fmt.Fprintf(&b, "Title: %s\n", orUnknown(sdk.FirstLine(a.Title, maxLineRunes), "title"))
	fmt.Fprintf(&b, "By: %s", orUnknown(userName(e.User.Name, e.User.Username), "user"))
	if a.URL != "" {
		fmt.Fprintf(&b, "\n%s", sdk.Clip(a.URL, maxFieldRunes))
	}
	return b.String()
}

// actions turns GitLab's merge request and issue actions into words.
var actions = map[string]string{
	"open":       "opened",
	"reopen":     "reopened",
	"close":      "closed",
	"merge":      "merged",
	"update":     "updated",
	"approved":   "approved",
	"unapproved": "unapproved",
	"approval":   "approved by a reviewer",
	"unapproval": "unapproved by a reviewer",
	"create":     "created",
	"delete":     "deleted",
}

// pastTense describes an action, falling back to the object's state.
func pastTense(action, state string) string {
	if action == "" {
		return sdk.Clip(state, 50)
	}
	if w, ok := actions[action]; ok {
		return w
	}
	return sdk.Clip(action, 50)
}

// pipelineMessage formats a finished pipeline:
//
//	✅ Pipeline #31 success in group/project
//	Branch: main
//	By: Jane Doe
//	Jobs: 3 success, 1 skipped
//	Failed: lint, test
//	Duration: 1m3s
//	https://gitlab.example.com/group/project/-/pipelines/31
func pipelineMessage(e *PipelineEvent) string {
	a := e.ObjectAttributes
	var b strings.Builder
	fmt.Fprintf(&b, "%s Pipeline #%d %s in %s\n", statusIcon(a.Status), a.ID, orUnknown(sdk.Clip(a.Status, 50), "status"), orUnknown(e.Project.PathWithNamespace, "project"))
	if a.Ref != "" {
		kind := "Branch"
		if a.Tag {
			kind = "Tag"
		}
		fmt.Fprintf(&b, "%s: %s\n", kind, sdk.Clip(a.Ref, maxFieldRunes))
	}
	fmt.Fprintf(&b, "By: %s", orUnknown(userName(e.User.Name, e.User.Username), "user"))
	if counts := jobCounts(e.Builds); counts != "" {
		fmt.Fprintf(&b, "\nJobs: %s", counts)
	}
	if failed := failedJobs(e.Builds); failed != "" {
		fmt.Fprintf(&b, "\nFailed: %s", failed)
	}
	if a.Duration != nil && *a.Duration >= 0 {
		d := time.Duration(*a.Duration * float64(time.Second)).Round(time.Second)
		fmt.Fprintf(&b, "\nDuration: %s", d)
	}
	link := a.URL
	if link == "" && e.Project.WebURL != "" && a.ID != 0 {
		link = fmt.Sprintf("%s/-/pipelines/%d", e.Project.WebURL, a.ID)
	}
	if link != "" {
		fmt.Fprintf(&b, "\n%s", sdk.Clip(link, maxFieldRunes))
	}
	return b.String()
}

func statusIcon(status string) string {
	switch status {
	case "success":
		return "✅"
	case "failed":
		return "❌"
	case "canceled":
		return "🚫"
	case "skipped":
		return "⏭️"
	}
	return "⚙️"
}

// statusOrder is the order job counts are listed in; other statuses
// follow alphabetically.
var statusOrder = []string{"failed", "success", "canceled", "skipped", "manual", "created", "pending", "running"}

// jobCounts counts a pipeline's jobs by status: "3 success, 1 skipped".
func jobCounts(builds []Build) string {
	counts := map[string]int{}
	for _, j := range builds {
		s := j.Status
		if s == "" {
			s = "unknown"
		}
		counts[s]++
	}
	statuses := make([]string, 0, len(counts))
	for s := range counts {
		statuses = append(statuses, s)
	}
	rank := func(s string) int {
		if i := slices.Index(statusOrder, s); i >= 0 {
			return i
		}
		return len(statusOrder)
	}
	slices.SortFunc(statuses, func(a, b string) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(statuses))
	for i, s := range statuses {
		parts[i] = fmt.Sprintf("%d %s", counts[s], sdk.Clip(s, 50))
	}
	return sdk.Clip(strings.Join(parts, ", "), maxFieldRunes)
}

// failedJobs names up to maxListedJobs failed jobs, in payload order.
func failedJobs(builds []Build) string {
	var names []string
	n := 0
	for _, j := range builds {
		if j.Status != "failed" {
			continue
		}
		n++
		if len(names) < maxListedJobs {
			names = append(names, orUnknown(sdk.Clip(j.Name, 50), "job"))
		}
	}
	if n > len(names) {
		names = append(names, fmt.Sprintf("and %d more", n-len(names)))
	}
	return sdk.Clip(strings.Join(names, ", "), maxFieldRunes)
}

// releaseMessage formats a release event:
//
//	🚀 Release 1.0.0 created in group/project
//	Tag: v1.0.0
//	https://gitlab.example.com/group/project/-/releases/v1.0.0
func releaseMessage(e *ReleaseEvent) string {
	name := e.Name
	if name == "" {
		name = e.Tag
	}
	var b strings.Builder
	fmt.Fprintf(&b, "🚀 Release %s %s in %s", orUnknown(sdk.FirstLine(name, maxLineRunes), "release"), orUnknown(pastTense(e.Action, ""), "action"), orUnknown(e.Project.PathWithNamespace, "project"))
	if e.Tag != "" {
		fmt.Fprintf(&b, "\nTag: %s", sdk.Clip(e.Tag, maxFieldRunes))
	}
	if e.URL != "" {
		fmt.Fprintf(&b, "\n%s", sdk.Clip(e.URL, maxFieldRunes))
	}
	return b.String()
}

// userName returns a display name, falling back to the username.
func userName(name, username string) string {
	if name != "" {
		return name
	}
	return username
}

func orUnknown(s, what string) string {
	if s == "" {
		return "(unknown " + what + ")"
	}
	return sdk.Clip(s, maxFieldRunes)
}
