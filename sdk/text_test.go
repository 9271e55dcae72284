package sdk_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hookpoint/hookpoint/sdk"
)

func TestClip(t *testing.T) {
	t.Parallel()
	if got := sdk.Clip("short", 10); got != "short" {
		t.Errorf("Clip(short) = %q", got)
	}
	got := sdk.Clip(strings.Repeat("界", 20), 10)
	if n := utf8.RuneCountInString(got); n != 10 || !strings.HasSuffix(got, "…") || !utf8.ValidString(got) {
		t.Errorf("Clip = %q (%d runes), want 10 valid runes ending in …", got, n)
	}
}

func TestFirstLine(t *testing.T) {
	t.Parallel()
	if got := sdk.FirstLine("  Fix the build\n\nLonger text", 200); got != "Fix the build" {
		t.Errorf("FirstLine = %q", got)
	}
	if got := sdk.FirstLine(strings.Repeat("a", 50)+"\nb", 10); got != strings.Repeat("a", 9)+"…" {
		t.Errorf("FirstLine of a long line = %q", got)
	}
}
