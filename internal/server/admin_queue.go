package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/hookpoint/hookpoint/internal/record"
)

// Operator reads and acts on deliveries and tasks for the admin API; the
// store implements it, and app wakes the queue after a replay or retry.
type Operator interface {
	Deliveries(ctx context.Context, f record.DeliveryFilter) ([]*record.Delivery, error)
	Delivery(ctx context.Context, id int64) (*record.Delivery, error)
	CountMatching(ctx context.Context, f record.DeliveryFilter) (int64, error)
	ReplayDeliveries(ctx context.Context, f record.DeliveryFilter) (ids, originals []int64, err error)
	RetryDead(ctx context.Context, f record.DeliveryFilter) (int64, error)
	Tasks(ctx context.Context, f record.TaskFilter) ([]*record.Task, error)
	Task(ctx context.Context, id int64) (*record.Task, error)
	CancelTask(ctx context.Context, plugin string, id int64) (record.Cancel, error)
}

// maxListPage is the largest ?limit of delivery and task listings.
const maxListPage = 10000

func (s *Server) queueRoutes(mux *http.ServeMux) {
	mux.HandleFunc("/api/admin/deliveries", s.getDeliveries)
	mux.HandleFunc("/api/admin/deliveries/replay", s.replayDeliveries)
	mux.HandleFunc("/api/admin/deliveries/{id}", s.getDelivery)
	mux.HandleFunc("/api/admin/deliveries/{id}/replay", s.replayDelivery)
	mux.HandleFunc("/api/admin/dead-letters", s.getDeadLetters)
	mux.HandleFunc("/api/admin/dead-letters/retry", s.retryDeadLetters)
	mux.HandleFunc("/api/admin/tasks", s.getTasks)
	mux.HandleFunc("/api/admin/tasks/{id}", s.getTask)
	mux.HandleFunc("/api/admin/tasks/{id}/cancel", s.cancelTask)
}

// deliveryFilter reads the filter query parameters: plugin, endpoint,
// state, delivery_id, since and until (RFC 3339), before (a delivery id,
// for paging) and limit.
func deliveryFilter(q url.Values) (record.DeliveryFilter, error) {
	f := record.DeliveryFilter{Plugin: q.Get("plugin"), Endpoint: q.Get("endpoint"), State: record.State(q.Get("state")), DeliveryID: q.Get("delivery_id")}
	var err error
	if f.Limit, err = intParam(q.Get("limit"), 100, 1, maxListPage); err != nil {
		return f, errors.New("limit " + err.Error())
	}
	before, err := intParam(q.Get("before"), 0, 0, 1<<62)
	if err != nil {
		return f, errors.New("before " + err.Error())
	}
	f.Before = int64(before)
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		if v := q.Get(p.name); v != "" {
			if *p.t, err = time.Parse(time.RFC3339, v); err != nil {
				return f, errors.New(p.name + " must be an RFC 3339 time such as 2026-01-02T15:04:05Z")
			}
		}
	}
	switch f.State {
	case "", record.StatePending, record.StateRunning, record.StateDone, record.StateFailed, record.StateDead:
	default:
		return f, errors.New("state must be pending, running, done, failed or dead")
	}
	return f, nil
}

func (s *Server) getDeliveries(w http.ResponseWriter, r *http.Request) {
	if allowMethods(w, r, http.MethodGet) {
		s.listDeliveries(w, r, r.URL.Query())
	}
}

func (s *Server) getDeadLetters(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodGet) {
		return
	}
	q := r.URL.Query()
	q.Set("state", string(record.StateDead))
	s.listDeliveries(w, r, q)
}

func (s *Server) listDeliveries(w http.ResponseWriter, r *http.Request, q url.Values) {
	f, err := deliveryFilter(q)
	if err != nil {
		writeDetail(w, http.StatusBadRequest, err.Error())
		return
	}
	ds, err := s.operator.Deliveries(r.Context(), f)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	out := make([]deliveryView, len(ds))
	for i, d := range ds {
		out[i] = newDeliveryView(d, false)
	}
	next := ""
	if len(ds) == f.Limit {
		next = strconv.FormatInt(ds[len(ds)-1].ID, 10)
	}
	writeJSON(w, http.StatusOK, map[string]any{"deliveries": out, "next_before": next})
}

func pathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeDetail(w, http.StatusBadRequest, "id must be a positive whole number")
		return 0, false
	}
	return id, true
}

func (s *Server) getDelivery(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodGet) {
		return
	}
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	d, err := s.operator.Delivery(r.Context(), id)
	if errors.Is(err, record.ErrNotFound) {
		writeDetail(w, http.StatusNotFound, "no delivery "+strconv.FormatInt(id, 10))
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newDeliveryView(d, true))
}

func (s *Server) replayDelivery(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodPost) {
		return
	}
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	if _, err := s.operator.Delivery(r.Context(), id); errors.Is(err, record.ErrNotFound) {
		writeDetail(w, http.StatusNotFound, "no delivery "+strconv.FormatInt(id, 10))
		return
	} else if err != nil {
		s.internal(w, r, err)
		return
	}
	ids, _, err := s.operator.ReplayDeliveries(r.Context(), record.DeliveryFilter{ID: id, Limit: 1})
	if err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"status": "accepted", "replays": ids, "replay_of": id})
}

// replayDeliveries replays what a filter selects, newest first, up to
// limit (at most, and by default, record.MaxReplay). The answer says how
// many matched; when more did than were replayed, next_before continues
// with the older ones.
func (s *Server) replayDeliveries(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodPost) {
		return
	}
	q := r.URL.Query()
	f, err := deliveryFilter(q)
	if err != nil {
		writeDetail(w, http.StatusBadRequest, err.Error())
		return
	}
	if f.Empty() && q.Get("all") != "true" {
		writeDetail(w, http.StatusBadRequest, "give a filter (plugin, endpoint, state, delivery_id, since, until, before) or all=true")
		return
	}
	if q.Get("limit") == "" {
		f.Limit = record.MaxReplay
	}
	matched, err := s.operator.CountMatching(r.Context(), record.DeliveryFilter{Plugin: f.Plugin, Endpoint: f.Endpoint,
		State: f.State, DeliveryID: f.DeliveryID, Since: f.Since, Until: f.Until, Before: f.Before})
	if err != nil {
		s.internal(w, r, err)
		return
	}
	ids, originals, err := s.operator.ReplayDeliveries(r.Context(), f)
	if err != nil && len(ids) == 0 {
		s.internal(w, r, err)
		return
	}
	answer := map[string]any{"status": "accepted", "replays": ids, "replayed": len(ids), "matched": matched, "next_before": ""}
	if err != nil {
		s.logger.Error("replay stopped part of the way", "err", err, "replayed", len(ids), "matched", matched)
		answer["status"] = "partial"
		answer["detail"] = fmt.Sprintf("replayed %d of %d matching deliveries before failing; the rest were not replayed", len(ids), matched)
	} else if int64(len(ids)) < matched && len(ids) > 0 {
		oldest := slices.Min(originals)
		answer["next_before"] = strconv.FormatInt(oldest, 10)
		answer["detail"] = fmt.Sprintf("replayed the newest %d of %d matching deliveries; repeat with before=%d for the next ones",
			len(ids), matched, oldest)
	}
	writeJSON(w, http.StatusAccepted, answer)
}

func (s *Server) retryDeadLetters(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodPost) {
		return
	}
	f, err := deliveryFilter(r.URL.Query())
	if err != nil {
		writeDetail(w, http.StatusBadRequest, err.Error())
		return
	}
	n, err := s.operator.RetryDead(r.Context(), f)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"status": "accepted", "retried": n})
}

func (s *Server) getTasks(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodGet) {
		return
	}
	q := r.URL.Query()
	f := record.TaskFilter{Plugin: q.Get("plugin"), Kind: q.Get("kind"), State: record.State(q.Get("state"))}
	var err error
	if f.Limit, err = intParam(q.Get("limit"), 100, 1, maxListPage); err != nil {
		writeDetail(w, http.StatusBadRequest, "limit "+err.Error())
		return
	}
	before, err := intParam(q.Get("before"), 0, 0, 1<<62)
	if err != nil {
		writeDetail(w, http.StatusBadRequest, "before "+err.Error())
		return
	}
	f.Before = int64(before)
	ts, err := s.operator.Tasks(r.Context(), f)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	next := ""
	if len(ts) == f.Limit {
		next = strconv.FormatInt(ts[len(ts)-1].ID, 10)
	}
	out := make([]taskView, len(ts))
	for i, t := range ts {
		out[i] = newTaskView(t, false)
	}
	writeJSON(w, http.StatusOK, map[string]any{"tasks": out, "next_before": next})
}

func (s *Server) getTask(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodGet) {
		return
	}
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	t, err := s.operator.Task(r.Context(), id)
	if errors.Is(err, record.ErrNotFound) {
		writeDetail(w, http.StatusNotFound, "no task "+strconv.FormatInt(id, 10))
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newTaskView(t, true))
}

// cancelTask cancels a task: a pending one at once (200), a running one
// by cancelling its run (202); a finished one is a conflict (409).
func (s *Server) cancelTask(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodPost) {
		return
	}
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	c, err := s.operator.CancelTask(r.Context(), "", id)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	name := "task " + strconv.FormatInt(id, 10)
	switch c {
	case record.CancelNotFound:
		writeDetail(w, http.StatusNotFound, "no "+name)
	case record.CancelFinished:
		writeDetail(w, http.StatusConflict, name+" has already finished; there is nothing to cancel")
	case record.CancelRequested:
		writeJSON(w, http.StatusAccepted, map[string]any{"status": "cancelling", "id": id,
			"detail": name + " is running: its run is being cancelled, and it will not run again"})
	default:
		writeJSON(w, http.StatusOK, map[string]any{"status": "cancelled", "id": id})
	}
}
