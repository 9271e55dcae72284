package chat_test

import (
	"strings"
	"testing"

	"github.com/hookpoint/hookpoint/internal/chat"
)

func FuzzParseKey(f *testing.F) {
	for _, s := range []string{"inbox-group_ops", "telegram-group_-1002768666191", "-x", "x-", "", "matrix-!a:b.c", "a-b-c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := chat.ParseKey(s)
		if err != nil {
			return
		}
		if k.String() != s {
			t.Fatalf("ParseKey(%q) round-trips to %q", s, k.String())
		}
		if k.Adapter == "" || k.Channel == "" || strings.Contains(k.Adapter, "-") {
			t.Fatalf("ParseKey(%q) = %+v", s, k)
		}
	})
}
