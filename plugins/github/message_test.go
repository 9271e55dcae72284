package github

import (
	"strings"
	"testing"
)

func TestPushMessage(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 500)
	tests := []struct {
		name string
		e    PushEvent
		want string
	}{
		{
			name: "no head commit: latest is the last listed",
			e: PushEvent{
				Ref:        "refs/heads/main",
				Repository: Repository{FullName: "o/r"},
				Pusher:     Pusher{Name: "p"},
				Commits:    []Commit{{Message: "older"}, {Message: "newer\n\nbody"}},
			},
			want: "📦 Push to o/r\nPusher: p\nBranch: main\nCommits: 2\nLatest: newer",
		},
		{
			name: "new tag, no commits, no head commit",
			e:    PushEvent{Ref: "refs/tags/v1", Created: true, Repository: Repository{FullName: "o/r"}, Sender: User{Login: "s"}},
			want: "📦 Push to o/r\nPusher: s\nTag: v1 (new)\nCommits: 0",
		},
		{
			name: "branch deleted",
			e:    PushEvent{Ref: "refs/heads/old", Deleted: true, Repository: Repository{FullName: "o/r"}, Pusher: Pusher{Name: "p"}},
			want: "📦 Push to o/r\nPusher: p\nref refs/heads/old deleted",
		},
		{
			name: "empty payload",
			e:    PushEvent{},
			want: "📦 Push to (unknown repository)\nPusher: (unknown pusher)\nCommits: 0",
		},
		{
			name: "long commit line clipped",
			e:    PushEvent{Repository: Repository{FullName: "o/r"}, Pusher: Pusher{Name: "p"}, HeadCommit: &Commit{Message: long}},
			want: "📦 Push to o/r\nPusher: p\nCommits: 0\nLatest: " + strings.Repeat("é", maxLineRunes-1) + "…",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := pushMessage(&tt.e); got != tt.want {
				t.Errorf("pushMessage =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}
