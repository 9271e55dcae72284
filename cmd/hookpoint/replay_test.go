package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// A filtered replay pages through every match, following next_before,
// and says how many it replayed of how many matched; with --limit it
// replays one page and says so.
func TestReplayPagesThroughEveryMatch(t *testing.T) {
	var befores []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		befores = append(befores, r.URL.Query().Get("before"))
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Query().Get("before") {
		case "":
			fmt.Fprint(w, `{"status":"accepted","replays":[11,12,13],"matched":5,"next_before":"3","detail":"replayed the newest 3 of 5"}`)
		case "3":
			fmt.Fprint(w, `{"status":"accepted","replays":[14,15],"matched":2,"next_before":""}`)
		default:
			w.WriteHeader(http.StatusBadRequest)
		}
	}))
	defer srv.Close()
	c := &client{base: srv.URL, http: srv.Client()}
	var out bytes.Buffer
	if err := replayFiltered(context.Background(), c, url.Values{"state": {"dead"}}, true, &out, false); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(befores, ","); got != ",3" || !strings.Contains(out.String(), "queued 5 replay(s) of 5 matching deliveries") {
		t.Fatalf("requests with before=%q; output %q", got, out.String())
	}
	befores, out = nil, bytes.Buffer{}
	if err := replayFiltered(context.Background(), c, url.Values{"state": {"dead"}, "limit": {"3"}}, false, &out, false); err != nil {
		t.Fatal(err)
	}
	if len(befores) != 1 || !strings.Contains(out.String(), "queued 3 replay(s) of 5 matching deliveries\nreplayed the newest 3 of 5") {
		t.Fatalf("with a limit: %d requests; output %q", len(befores), out.String())
	}
}

// A replay the server stopped part of the way ends with an error (a
// non-zero exit) that says how far it got.
func TestReplayStoppedPartWayFails(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"status":"partial","replays":[11,12],"matched":5,"next_before":"","detail":"replayed 2 of 5 matching deliveries before failing; the rest were not replayed"}`)
	}))
	defer srv.Close()
	c := &client{base: srv.URL, http: srv.Client()}
	var out bytes.Buffer
	err := replayFiltered(context.Background(), c, url.Values{"state": {"dead"}}, true, &out, false)
	if err == nil || !strings.Contains(err.Error(), "queued 2 replay(s) of 5") || !strings.Contains(err.Error(), "the rest were not replayed") {
		t.Fatalf("err = %v; want the partial replay reported as an error", err)
	}
}
