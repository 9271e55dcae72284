// Package bench holds Hookpoint's benchmark suite (see README.md and
// run.sh). This file benchmarks the group-committed delivery insert
// without HTTP:
//
//	go test ./bench -run '^$' -bench . -cpu 1,2
//	HOOKPOINT_BENCH_PG=postgres://postgres@127.0.0.1:5432/test go test ./bench -run '^$' -bench . -cpu 1
//
// 32 goroutines insert the signed ~8.8 KB push fixture with
// store.InsertDelivery (what the request path does) and report rows/s and
// rows/commit: how many writes each group-committed transaction carried.
// The "check" variants first scan the payload with sdk.CheckJSONObject,
// as the GitHub endpoint's Check does on the request path.
package bench

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookpoint/hookpoint/internal/record"
	"github.com/hookpoint/hookpoint/internal/store"
	"github.com/hookpoint/hookpoint/sdk"
)

const writers = 32

func payload(tb testing.TB) []byte {
	b, err := os.ReadFile(filepath.Join("..", "plugins", "github", "testdata", "push.json"))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// openStores returns the databases to benchmark: SQLite always,
// PostgreSQL (a fresh schema) when HOOKPOINT_BENCH_PG is set.
func openStores(b *testing.B) map[string]*store.Store {
	ctx := context.Background()
	out := map[string]*store.Store{}
	st, err := store.OpenSQLite(ctx, filepath.Join(b.TempDir(), "hookpoint.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	out["sqlite"] = st
	if base := os.Getenv("HOOKPOINT_BENCH_PG"); base != "" {
		schema := fmt.Sprintf("hpgobench_%d_%d", os.Getpid(), time.Now().UnixNano())
		admin, err := sql.Open("pgx", base)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
			b.Fatal(err)
		}
		sep := "?"
		for _, c := range base {
			if c == '?' {
				sep = "&"
			}
		}
		pg, err := store.OpenPostgres(ctx, base+sep+"search_path="+schema)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() {
			pg.Close()
			admin.Exec("DROP SCHEMA " + schema + " CASCADE")
			admin.Close()
		})
		out["postgres"] = pg
	}
	return out
}

var runID atomic.Int64

func delivery(body []byte, n int64) *record.Delivery {
	return &record.Delivery{
		Plugin: "hookpoint.github", Endpoint: "/github", Mode: record.ModeQueued, Method: http.MethodPost,
		Path: "/api/plugin/hookpoint.github/webhook/github",
		Header: http.Header{
			"Content-Type": {"application/json"}, "User-Agent": {"GitHub-Hookshot/bench"},
			"X-Github-Event": {"push"}, "X-Hub-Signature-256": {"******"},
			"X-Github-Delivery": {fmt.Sprintf("gobench-%d-%d", runID.Load(), n)},
		},
		Body: body, ClientAddr: "127.0.0.1", RequestID: "bench", DeliveryID: fmt.Sprintf("gobench-%d-%d", runID.Load(), n),
		MaxAttempts: 12,
	}
}

// parallel runs op b.N times over the writers goroutines.
func parallel(b *testing.B, op func(n int64)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n := next.Add(1)
				if n > int64(b.N) {
					return
				}
				op(n)
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkInsertDelivery(b *testing.B) {
	body := payload(b)
	for name, st := range openStores(b) {
		for _, decode := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/check=%v", name, decode), func(b *testing.B) {
				runID.Add(1)
				ctx := context.Background()
				commits0, writes0 := st.WriteStats()
				parallel(b, func(n int64) {
					if decode {
						if err := sdk.CheckJSONObject(body); err != nil {
							b.Error(err)
						}
					}
					if _, _, err := st.InsertDelivery(ctx, delivery(body, n), "bench", time.Now().Add(time.Minute)); err != nil {
						b.Error(err)
					}
				})
				commits, writes := st.WriteStats()
				b.ReportMetric(float64(writes-writes0)/float64(max(1, commits-commits0)), "rows/commit")
			})
		}
	}
}
