package main

import (
	"strings"
	"testing"
)

const listedTasks = `{"tasks":[
 {"id":3,"plugin":"hookpoint.job","kind":"job","state":"running","attempts":1,"max_attempts":5,"run_at":"2026-03-04T12:00:00Z","progress":"step 2 of 3","created_at":"2026-03-04T12:00:00Z"},
 {"id":2,"plugin":"hookpoint.job","kind":"job","state":"dead","attempts":5,"max_attempts":5,"run_at":"2026-03-04T12:00:00Z","progress":"running","last_error":"boom","created_at":"2026-03-04T12:00:00Z"},
 {"id":1,"plugin":"hookpoint.job","kind":"job","state":"done","attempts":1,"max_attempts":5,"run_at":"2026-03-04T12:00:00Z","progress":"running","created_at":"2026-03-04T12:00:00Z"}
],"next_before":""}`

// A finished task does not show its last progress as if it were still
// going: tasks ls shows progress for pending and running tasks only, and
// tasks show labels a finished task's progress "last progress".
func TestTasksFinishedProgressIsNotCurrent(t *testing.T) {
	t.Parallel()
	f := newFakeAdmin(t, map[string]string{
		"/api/admin/tasks":   listedTasks,
		"/api/admin/tasks/1": `{"id":1,"plugin":"hookpoint.job","kind":"job","state":"done","attempts":1,"max_attempts":5,"progress":"running","created_at":"2026-03-04T12:00:00Z","args":"{\"chat\":\"inbox-x\"}"}`,
		"/api/admin/tasks/3": `{"id":3,"plugin":"hookpoint.job","kind":"job","state":"running","attempts":1,"max_attempts":5,"progress":"step 2 of 3","created_at":"2026-03-04T12:00:00Z","args":"{}"}`,
	})
	env := []string{"HOOKPOINT_SERVER=" + f.URL, "HOOKPOINT_ADMIN_TOKEN=x"}
	out, errOut, err := runHookpoint(t, nil, env, "tasks", "ls")
	if err != nil {
		t.Fatalf("%v\n%s%s", err, out, errOut)
	}
	for id, want := range map[string]string{"1": "-", "2": "-", "3": "step 2 of 3"} {
		if got := cell(t, out, id, "PROGRESS"); got != want {
			t.Errorf("task %s: PROGRESS %q, want %q\n%s", id, got, want, out)
		}
	}
	out, _, err = runHookpoint(t, nil, env, "tasks", "show", "1")
	if err != nil || !strings.Contains(out, "last progress:") || strings.Contains(out, "\nprogress:") || !strings.Contains(out, `"chat": "inbox-x"`) {
		t.Errorf("show of a done task: %v\n%s", err, out)
	}
	out, _, err = runHookpoint(t, nil, env, "tasks", "show", "3")
	if err != nil || !strings.Contains(out, "\nprogress:") || !strings.Contains(out, "step 2 of 3") || strings.Contains(out, "last progress") {
		t.Errorf("show of a running task: %v\n%s", err, out)
	}
}
