package store_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/hookpoint/hookpoint/internal/record"
	"github.com/hookpoint/hookpoint/internal/store"
	"github.com/hookpoint/hookpoint/internal/store/storetest"
)

// The operator's filters find the deliveries they name, newest first, and
// the counts by state are exact, on both dialects: by plugin, endpoint,
// each state, time and page. On PostgreSQL most of them walk the primary
// key (migration 007).
func TestDeliveryFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		s := storetest.Open(t, d)
		states := []record.State{record.StateDone, record.StateDone, record.StatePending, record.StateRunning, record.StateFailed, record.StateDead}
		base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		type row struct {
			id               int64
			plugin, endpoint string
			state            record.State
			received         time.Time
		}
		var rows []row
		err := s.Do(ctx, func(tx *store.Tx) error {
			for i := range 60 {
				r := row{plugin: "a.github", endpoint: "/github", state: states[i%len(states)], received: base.Add(time.Duration(i) * time.Minute)}
				if i%10 == 3 {
					r.plugin, r.endpoint = "b.rare", "/hook"
				}
				if i%4 == 1 {
					r.endpoint = "/other"
				}
				if err := tx.QueryRow(ctx, `INSERT INTO deliveries (plugin, endpoint, mode, method, path, state, max_attempts, run_at, received_at, delivery_id)
					VALUES (?, ?, 'queued', 'POST', '/p', ?, 3, 0, ?, ?) RETURNING id`,
					r.plugin, r.endpoint, r.state, r.received.UnixMicro(), fmt.Sprint("f-", i)).Scan(&r.id); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, `INSERT INTO delivery_payloads (id, headers, body) VALUES (?, '{}', ?)`, r.id, []byte("{}")); err != nil {
					return err
				}
				rows = append(rows, r)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := func(keep func(row) bool, limit int) []int64 {
			var ids []int64
			for i := len(rows) - 1; i >= 0 && len(ids) < limit; i-- {
				if keep(rows[i]) {
					ids = append(ids, rows[i].id)
				}
			}
			return ids
		}
		cases := []struct {
			name string
			f    record.DeliveryFilter
			keep func(row) bool
		}{
			{"rare plugin", record.DeliveryFilter{Plugin: "b.rare"}, func(r row) bool { return r.plugin == "b.rare" }},
			{"unknown plugin", record.DeliveryFilter{Plugin: "c.none"}, func(r row) bool { return false }},
			{"plugin and endpoint", record.DeliveryFilter{Plugin: "a.github", Endpoint: "/other"}, func(r row) bool { return r.plugin == "a.github" && r.endpoint == "/other" }},
			{"since and until", record.DeliveryFilter{Since: base.Add(10 * time.Minute), Until: base.Add(20 * time.Minute)}, func(r row) bool {
				return !r.received.Before(base.Add(10*time.Minute)) && r.received.Before(base.Add(20*time.Minute))
			}},
			{"page", record.DeliveryFilter{Before: rows[30].id, Limit: 7}, func(r row) bool { return r.id < rows[30].id }},
		}
		for _, st := range []record.State{record.StatePending, record.StateRunning, record.StateDone, record.StateFailed, record.StateDead} {
			cases = append(cases, struct {
				name string
				f    record.DeliveryFilter
				keep func(row) bool
			}{"state " + string(st), record.DeliveryFilter{State: st}, func(r row) bool { return r.state == st }})
		}
		counts, err := s.CountDeliveries(ctx)
		if err != nil {
			t.Fatal(err)
		}
		byState := map[record.State]int64{}
		for _, r := range rows {
			byState[r.state]++
		}
		if !maps.Equal(counts, byState) {
			t.Errorf("CountDeliveries = %v, want %v", counts, byState)
		}
		for _, c := range cases {
			limit := c.f.Limit
			if limit == 0 {
				limit = 100
			}
			got, err := s.Deliveries(ctx, c.f)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			var ids []int64
			for _, dl := range got {
				ids = append(ids, dl.ID)
			}
			if w := want(c.keep, limit); !slices.Equal(ids, w) {
				t.Errorf("%s: got %v, want %v", c.name, ids, w)
			}
		}
	})
}
