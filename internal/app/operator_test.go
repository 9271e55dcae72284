package app_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

type deliveryJSON struct {
	ID             int64               `json:"id"`
	Plugin         string              `json:"plugin"`
	Endpoint       string              `json:"endpoint"`
	Mode           string              `json:"mode"`
	State          string              `json:"state"`
	Attempts       int                 `json:"attempts"`
	MaxAttempts    int                 `json:"max_attempts"`
	DeliveryID     string              `json:"delivery_id"`
	ReplayOf       int64               `json:"replay_of"`
	LastError      string              `json:"last_error"`
	ResponseStatus int                 `json:"response_status"`
	Headers        map[string][]string `json:"headers"`
	Body           string              `json:"body"`
	BodyEncoding   string              `json:"body_encoding"`
	Query          string              `json:"query"`
}

func (b *testBundle) deliveries(t *testing.T, query string) []deliveryJSON {
	t.Helper()
	a := b.do(t, "GET", "/api/admin/deliveries?"+query, nil, nil)
	if a.status != 200 {
		t.Fatalf("deliveries?%s: %d %s", query, a.status, a.raw)
	}
	var out struct {
		Deliveries []deliveryJSON `json:"deliveries"`
	}
	if err := json.Unmarshal([]byte(a.raw), &out); err != nil {
		t.Fatal(err)
	}
	return out.Deliveries
}

func TestOperatorReplayAndFilters(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for i := 0; i < 3; i++ {
		body, h := signedPush(t, fmt.Sprintf("op-%d", i))
		if a := b.do(t, "POST", githubHook, body, h); a.status != 202 {
			t.Fatalf("push %d: %d %s", i, a.status, a.raw)
		}
	}
	b.do(t, "GET", "/api/plugin/hookpoint.resource/webhook/resource?token=s3cr3t", nil, map[string]string{"Authorization": "Bearer " + apiToken})
	b.waitIdle(t)

	all := b.deliveries(t, "")
	if len(all) != 4 || all[0].Plugin != "hookpoint.resource" || all[0].Mode != "inline" || all[0].State != "done" {
		t.Fatalf("all deliveries (newest first) = %+v", all)
	}
	if strings.Contains(all[0].Query, "s3cr3t") || fmt.Sprint(all[0].Headers["Authorization"]) != "[[redacted]]" {
		t.Errorf("credentials stored in clear: query %q headers %v", all[0].Query, all[0].Headers)
	}
	gh := b.deliveries(t, "plugin=hookpoint.github&state=done")
	if len(gh) != 3 {
		t.Fatalf("github done = %d", len(gh))
	}
	if one := b.deliveries(t, "delivery_id=op-1"); len(one) != 1 || one[0].DeliveryID != "op-1" {
		t.Fatalf("by delivery id = %+v", one)
	}
	page1 := b.deliveries(t, "limit=2")
	page2 := b.deliveries(t, fmt.Sprintf("limit=2&before=%d", page1[1].ID))
	if len(page1) != 2 || len(page2) != 2 || page2[0].ID >= page1[1].ID {
		t.Errorf("paging: %v then %v", page1, page2)
	}
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	if none := b.deliveries(t, "since="+future); len(none) != 0 {
		t.Errorf("since the future: %d", len(none))
	}
	for _, bad := range []string{"state=bogus", "since=yesterday", "limit=0", "before=x"} {
		if a := b.do(t, "GET", "/api/admin/deliveries?"+bad, nil, nil); a.status != 400 {
			t.Errorf("%s: %d", bad, a.status)
		}
	}

	// Show one: the body as sent, the signature redacted.
	show := b.do(t, "GET", fmt.Sprintf("/api/admin/deliveries/%d", gh[0].ID), nil, nil)
	var d deliveryJSON
	json.Unmarshal([]byte(show.raw), &d)
	push := fixture(t, "push.json")
	if d.Body != string(push) || d.BodyEncoding != "text" || fmt.Sprint(d.Headers["X-Hub-Signature-256"]) != "[[redacted]]" {
		t.Errorf("show: encoding %q, signature %v, body matches %v", d.BodyEncoding, d.Headers["X-Hub-Signature-256"], d.Body == string(push))
	}
	if a := b.do(t, "GET", "/api/admin/deliveries/999999", nil, nil); a.status != 404 {
		t.Errorf("unknown delivery: %d", a.status)
	}

	// Replay one: the handler runs again, linked to the original.
	r := b.do(t, "POST", fmt.Sprintf("/api/admin/deliveries/%d/replay", gh[0].ID), nil, nil)
	if r.status != 202 {
		t.Fatalf("replay: %d %s", r.status, r.raw)
	}
	b.waitIdle(t)
	replays := b.deliveries(t, "delivery_id="+gh[0].DeliveryID)
	if len(replays) != 2 || replays[0].ReplayOf != gh[0].ID || replays[0].State != "done" {
		t.Fatalf("after replay: %+v", replays)
	}
	if msgs := b.messages(t, devChat); len(msgs) != 4 {
		t.Errorf("%d messages after a replay, want 4", len(msgs))
	}
	// Replay by filter needs a filter.
	if a := b.do(t, "POST", "/api/admin/deliveries/replay", nil, nil); a.status != 400 {
		t.Errorf("unfiltered replay: %d", a.status)
	}
	if a := b.do(t, "POST", "/api/admin/deliveries/replay?plugin=hookpoint.github&delivery_id=op-2", nil, nil); a.status != 202 || !strings.Contains(a.raw, "replays") {
		t.Errorf("filtered replay: %d %s", a.status, a.raw)
	}
	if a := b.do(t, "GET", fmt.Sprintf("/api/admin/deliveries/%d/replay", gh[0].ID), nil, nil); a.status != 405 {
		t.Errorf("GET replay: %d", a.status)
	}
}

func TestDeadLettersAndRetry(t *testing.T) {
	t.Parallel()
	b := startApp(t, `
plugins:
  hookpoint.github:
    config:
      GITHUB_WEBHOOK_SECRET: "`+ghSecret+`"
      NOTIFICATION_CHAT_KEY: telegram-group_-100
    webhooks:
      /github:
        retry: {max_attempts: 3, min_backoff: 5ms, max_backoff: 20ms}
`, t.TempDir())
	body, h := signedPush(t, "dead-1")
	if a := b.do(t, "POST", githubHook, body, h); a.status != 202 {
		t.Fatalf("push: %d %s", a.status, a.raw)
	}
	b.waitIdle(t)
	dead := b.do(t, "GET", "/api/admin/dead-letters", nil, nil)
	var out struct {
		Deliveries []deliveryJSON `json:"deliveries"`
	}
	json.Unmarshal([]byte(dead.raw), &out)
	if len(out.Deliveries) != 1 {
		t.Fatalf("dead letters: %s", dead.raw)
	}
	dl := out.Deliveries[0]
	if dl.Attempts != 3 || !strings.Contains(dl.LastError, `no chat adapter "telegram"`) {
		t.Errorf("dead letter = %+v", dl)
	}
	b.waitMetrics(t,
		`hookpoint_queue_dead_letters_total{queue="deliveries",plugin="hookpoint.github"} 1`,
		`hookpoint_queue_attempts_total{queue="deliveries",plugin="hookpoint.github",result="retry"} 2`,
		`hookpoint_queue_depth{state="dead"} 1`,
		`hookpoint_handler_duration_seconds_count{queue="deliveries",plugin="hookpoint.github"} 3`,
		`hookpoint_queue_wait_seconds_count{queue="deliveries"} 1`,
		`hookpoint_queue_oldest_pending_seconds{queue="deliveries"} 0`,
		`hookpoint_database_up 1`,
	)
	r := b.do(t, "POST", "/api/admin/dead-letters/retry?plugin=hookpoint.github", nil, nil)
	if r.status != 202 || r.body["retried"] != float64(1) {
		t.Fatalf("retry: %d %s", r.status, r.raw)
	}
	b.waitIdle(t)
	again := b.deliveries(t, "state=dead")
	if len(again) != 1 || again[0].Attempts != 3 {
		t.Errorf("after a retry that fails again: %+v", again)
	}
	b.waitMetrics(t, `hookpoint_queue_dead_letters_total{queue="deliveries",plugin="hookpoint.github"} 2`)
}

// waitMetrics polls /metrics until it holds every wanted line. A worker
// counts a run once its completion has committed, so the counters may
// trail, by a moment, the rows that waitIdle saw.
func (b *testBundle) waitMetrics(t *testing.T, wants ...string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		m := b.do(t, "GET", "/metrics", nil, nil)
		var missing []string
		for _, want := range wants {
			if !strings.Contains(m.raw, want) {
				missing = append(missing, want)
			}
		}
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics lack %s", strings.Join(missing, "\n"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestTasksAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.do(t, "POST", "/api/plugin/hookpoint.job/webhook/start_job", []byte(`{"task_id":"api","notify_chat_key":"inbox-t"}`),
		map[string]string{"Authorization": "Bearer " + apiToken})
	if a.status != 202 {
		t.Fatalf("start: %d %s", a.status, a.raw)
	}
	b.waitIdle(t)
	list := b.do(t, "GET", "/api/admin/tasks?plugin=hookpoint.job&state=done", nil, nil)
	var out struct {
		Tasks []struct {
			ID       int64  `json:"id"`
			Kind     string `json:"kind"`
			State    string `json:"state"`
			Progress string `json:"progress"`
			Delivery int64  `json:"delivery"`
		} `json:"tasks"`
	}
	json.Unmarshal([]byte(list.raw), &out)
	if len(out.Tasks) != 1 || out.Tasks[0].Kind != "job" || out.Tasks[0].Progress != "running" {
		t.Fatalf("tasks: %s", list.raw)
	}
	one := b.do(t, "GET", fmt.Sprintf("/api/admin/tasks/%d", out.Tasks[0].ID), nil, nil)
	if !strings.Contains(one.raw, `"args":"{\"task_id\":\"api\"`) {
		t.Errorf("task: %s", one.raw)
	}
	if c := b.do(t, "POST", fmt.Sprintf("/api/admin/tasks/%d/cancel", out.Tasks[0].ID), nil, nil); c.status != 409 {
		t.Errorf("cancelling a finished task: %d %s", c.status, c.raw)
	}
	if c := b.do(t, "POST", "/api/admin/tasks/x/cancel", nil, nil); c.status != 400 {
		t.Errorf("cancelling task x: %d", c.status)
	}
	if c := b.do(t, "GET", "/api/admin/tasks/424242", nil, nil); c.status != 404 {
		t.Errorf("unknown task: %d", c.status)
	}
	if c := b.do(t, "POST", "/api/admin/tasks/424242/cancel", nil, nil); c.status != 404 {
		t.Errorf("cancelling an unknown task: %d %s", c.status, c.raw)
	}
}

// Cancelling a running task cancels its run: it ends cancelled at once,
// is not retried, and what it would have sent is not sent.
func TestCancelRunningTask(t *testing.T) {
	t.Parallel()
	b := setupWith(t, "", t.TempDir())
	a := b.do(t, "POST", "/api/plugin/hookpoint.job/webhook/start_job", []byte(`{"task_id":"long","notify_chat_key":"inbox-c"}`),
		map[string]string{"Authorization": "Bearer " + apiToken})
	id, _ := a.body["job"].(string)
	if a.status != 202 || id == "" {
		t.Fatalf("start: %d %s", a.status, a.raw)
	}
	state := func() string {
		var task struct {
			State string `json:"state"`
		}
		json.Unmarshal([]byte(b.do(t, "GET", "/api/admin/tasks/"+id, nil, nil).raw), &task)
		return task.State
	}
	for deadline := time.Now().Add(5 * time.Second); state() != "running"; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("task %s never ran: %s", id, state())
		}
	}
	start := time.Now()
	if c := b.do(t, "POST", "/api/admin/tasks/"+id+"/cancel", nil, nil); c.status != 202 || c.body["status"] != "cancelling" {
		t.Fatalf("cancelling the running task: %d %s", c.status, c.raw)
	}
	for state() != "cancelled" {
		if time.Since(start) > 900*time.Millisecond { // the job runs 1 s
			t.Fatalf("task %s is %s %v after its cancellation", id, state(), time.Since(start))
		}
		time.Sleep(5 * time.Millisecond)
	}
	if msgs := b.messages(t, "inbox-c"); len(msgs) != 0 {
		t.Errorf("a cancelled job sent %q", msgs)
	}
	if c := b.do(t, "POST", "/api/admin/tasks/"+id+"/cancel", nil, nil); c.status != 409 {
		t.Errorf("cancelling it again: %d %s", c.status, c.raw)
	}
}
