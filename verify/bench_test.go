package verify

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// benchPayload builds a deterministic push-like JSON payload of about 7 KB.
func benchPayload() []byte {
	type commit struct {
		ID, Message, Timestamp, URL string
		Added, Modified             []string
	}
	var commits []commit
	for i := 0; ; i++ {
		commits = append(commits, commit{
			ID:        fmt.Sprintf("%040x", i*7919+1),
			Message:   fmt.Sprintf("Commit %d: update the webhook verifier and its documentation", i),
			Timestamp: "2024-05-01T12:00:00Z",
			URL:       fmt.Sprintf("https://example.com/hookpoint/hookpoint/commit/%040x", i*7919+1),
			Added:     []string{fmt.Sprintf("verify/file%d.go", i)},
			Modified:  []string{"README.md", "verify/doc.go"},
		})
		b, _ := json.Marshal(map[string]any{"ref": "refs/heads/main", "commits": commits})
		if len(b) >= 7*1024 {
			return b
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	body := benchPayload()
	for _, tc := range rtCases() {
		b.Run(tc.scheme, func(b *testing.B) {
			v, err := tc.verifier(tc.secret(0))
			if err != nil {
				b.Fatal(err)
			}
			h, err := signerFor(b, tc, 0).Sign(body, testNow)
			if err != nil {
				b.Fatal(err)
			}
			r := httptest.NewRequest(http.MethodPost, "/hook", nil)
			r.Header = h
			if err := v.Verify(r, body); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if err := v.Verify(r, body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
