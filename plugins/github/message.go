package github

import (
	"fmt"
	"github.com/hookpoint/hookpoint/sdk"
	"strings"
)

// Limits on text copied from payloads into chat messages, in runes.
const (
	maxLineRunes  = 200
	maxFieldRunes = 300
)

// pushMessage formats a push event:
//
//	📦 Push to octo/repo
//	Pusher: octocat
//	Branch: main
//	Commits: 2
//	Latest: <first line of the head commit's message>
//
// A deleted branch or tag gives "ref <ref> deleted" instead of the
// commit lines; a new one is marked "(new)".
func pushMessage(e *PushEvent) string {
	var b strings.Builder
	fmt.Fprintf(&b, "📦 Push to %s\n", orUnknown(e.Repository.FullName, "repository"))
	fmt.Fprintf(&b, "Pusher: %s\n", orUnknown(pusherName(e), "pusher"))
	if e.Deleted {
		fmt.Fprintf(&b, "ref %s deleted", sdk.Clip(e.Ref, maxFieldRunes))
		return b.String()
	}
	if e.Ref != "" {
		fmt.Fprintf(&b, "%s\n", refLine(e.Ref, e.Created))
	}
	fmt.Fprintf(&b, "Commits: %d", len(e.Commits))
	if c := latestCommit(e); c != nil {
		fmt.Fprintf(&b, "\nLatest: %s", orUnknown(sdk.FirstLine(c.Message, maxLineRunes), "commit message"))
	}
	return b.String()
}

// refLine names the branch or tag pushed to.
func refLine(ref string, created bool) string {
	var s string
	switch {
	case strings.HasPrefix(ref, "refs/heads/"):
		s = "Branch: " + strings.TrimPrefix(ref, "refs/heads/")
	case strings.HasPrefix(ref, "refs/tags/"):
		s = "Tag: " + strings.TrimPrefix(ref, "refs/tags/")
	default:
		s = "Ref: " + ref
	}
	s = sdk.Clip(s, maxFieldRunes)
	if created {
		s += " (new)"
	}
	return s
}

// latestCommit returns the head commit, or the last listed commit when
// the payload has none (GitHub lists commits oldest first), or nil.
func latestCommit(e *PushEvent) *Commit {
	if e.HeadCommit != nil {
		return e.HeadCommit
	}
	if n := len(e.Commits); n > 0 {
		return &e.Commits[n-1]
	}
	return nil
}

func pusherName(e *PushEvent) string {
	for _, s := range []string{e.Pusher.Name, e.Pusher.Login, e.Pusher.Username, e.Sender.Login} {
		if s != "" {
			return s
		}
	}
	return ""
}

// issuesMessage formats an issues event:
//
//	📝 Issue #1 opened in octo/repo
//	Title: Spelling error
//	By: octocat
//	https://github.com/octo/repo/issues/1
func issuesMessage(e *IssuesEvent) string {
	by := e.Sender.Login
	if by == "" {
		by = e.Issue.User.Login
	}
	var b strings.Builder
	fmt.Fprintf(&b, "📝 Issue #%d %s in %s\n", e.Issue.Number, orUnknown(sdk.Clip(e.Action, 50), "action"), orUnknown(e.Repository.FullName, "repository"))
	fmt.Fprintf(&b, "Title: %s\n", orUnknown(sdk.FirstLine(e.Issue.Title, maxLineRunes), "title"))
	fmt.Fprintf(&b, "By: %s", orUnknown(by, "user"))
	if e.Issue.HTMLURL != "" {
		fmt.Fprintf(&b, "\n%s", sdk.Clip(e.Issue.HTMLURL, maxFieldRunes))
	}
	return b.String()
}

func orUnknown(s, what string) string {
	if s == "" {
		return "(unknown " + what + ")"
	}
	return sdk.Clip(s, maxFieldRunes)
}
