package sdk

import (
	"strings"
	"unicode/utf8"
)

// Clip cuts s to at most n runes, the last of them "…" when it cuts, so
// that a field from a payload cannot flood a chat message.
func Clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// FirstLine returns the first line of s, trimmed and clipped to n runes:
// the summary of a commit message or a title.
func FirstLine(s string, n int) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return Clip(strings.TrimSpace(s), n)
}
