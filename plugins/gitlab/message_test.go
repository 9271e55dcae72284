package gitlab

import (
	"strings"
	"testing"
)

func TestPushMessage(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 500)
	project := Project{PathWithNamespace: "g/p", WebURL: "https://gl.example/g/p"}
	tests := []struct {
		name string
		e    PushEvent
		want string
	}{
		{
			name: "after not listed: latest is the last listed",
			e: PushEvent{
				Ref: "refs/heads/main", After: "c3", Project: project, UserUsername: "jd",
				Commits: []Commit{{ID: "c1", Message: "older", URL: "u1"}, {ID: "c2", Message: "newer\n\nbody", URL: "u2"}},
			},
			want: "📦 Push to g/p\nBy: jd\nBranch: main\nCommits: 2\nLatest: newer\nu2",
		},
		{
			name: "new branch",
			e:    PushEvent{Ref: "refs/heads/feature", Before: zeroSHA, After: "c1", Project: project, UserName: "Jane", TotalCommitsCount: 0},
			want: "📦 Push to g/p\nBy: Jane\nBranch: feature (new)\nCommits: 0\nhttps://gl.example/g/p",
		},
		{
			name: "branch deleted",
			e:    PushEvent{Ref: "refs/heads/old", Before: "c1", After: zeroSHA, Project: project, UserName: "Jane"},
			want: "📦 Push to g/p\nBy: Jane\nBranch old deleted\nhttps://gl.example/g/p",
		},
		{
			name: "empty payload",
			e:    PushEvent{},
			want: "📦 Push to (unknown project)\nBy: (unknown user)\nCommits: 0",
		},
		{
			name: "long commit title clipped",
			e:    PushEvent{Project: Project{PathWithNamespace: "g/p"}, UserName: "Jane", Commits: []Commit{{Title: long}}},
			want: "📦 Push to g/p\nBy: Jane\nCommits: 1\nLatest: " + strings.Repeat("é", maxLineRunes-1) + "…",
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

func TestTagPushMessage(t *testing.T) {
	t.Parallel()
	project := Project{PathWithNamespace: "g/p", WebURL: "https://gl.example/g/p"}
	deleted := PushEvent{Ref: "refs/tags/v1", After: zeroSHA, Project: project, UserName: "Jane"}
	if got, want := tagPushMessage(&deleted), "🏷️ Tag v1 deleted in g/p\nBy: Jane\nhttps://gl.example/g/p"; got != want {
		t.Errorf("deleted tag =\n%q\nwant\n%q", got, want)
	}
	slash := PushEvent{Ref: "refs/tags/release/1.0 rc", After: "c1", Project: project, UserName: "Jane"}
	if got, want := tagPushMessage(&slash), "🏷️ Tag release/1.0 rc pushed to g/p\nBy: Jane\nhttps://gl.example/g/p/-/tags/release/1.0%20rc"; got != want {
		t.Errorf("tag with a slash =\n%q\nwant\n%q", got, want)
	}
}

func TestPipelineMessage(t *testing.T) {
	t.Parallel()
	d := 90.4
	e := PipelineEvent{
		ObjectAttributes: PipelineAttributes{ID: 7, Ref: "v2", Tag: true, Status: "failed", Duration: &d, URL: "https://gl.example/g/p/-/pipelines/7"},
		User:             User{Username: "jd"},
		Project:          Project{PathWithNamespace: "g/p"},
		Builds: []Build{
			{Name: "a", Status: "failed"}, {Name: "b", Status: "success"}, {Name: "c", Status: "failed"},
			{Name: "d", Status: "failed"}, {Name: "e", Status: "failed"}, {Name: "f", Status: "failed"},
			{Name: "g", Status: "failed"}, {Name: "h", Status: "weird"},
		},
	}
	want := "❌ Pipeline #7 failed in g/p\nTag: v2\nBy: jd\nJobs: 6 failed, 1 success, 1 weird\nFailed: a, c, d, e, f, and 1 more\nDuration: 1m30s\nhttps://gl.example/g/p/-/pipelines/7"
	if got := pipelineMessage(&e); got != want {
		t.Errorf("pipelineMessage =\n%q\nwant\n%q", got, want)
	}
}

func TestPastTense(t *testing.T) {
	t.Parallel()
	tests := []struct{ action, state, want string }{
		{"merge", "merged", "merged"},
		{"reopen", "opened", "reopened"},
		{"", "closed", "closed"},
		{"something_new", "opened", "something_new"},
	}
	for _, tt := range tests {
		if got := pastTense(tt.action, tt.state); got != tt.want {
			t.Errorf("pastTense(%q, %q) = %q, want %q", tt.action, tt.state, got, tt.want)
		}
	}
}
