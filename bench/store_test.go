// Package bench holds Hookpoint's benchmark suite (see README.md and
// run.sh). This file benchmarks the group-committed delivery insert
// without HTTP:
//
//	go test ./bench -run '^$' -bench . -cpu 1,2
//	HOOKPOINT_BENCH_PG=postgres://postgres@127.0.0.1:5432/test go test ./bench -run '^$' -bench . -cpu 1
//
// 32 goroutines insert the signed ~8.8 KB push fixture. BenchmarkInsertDelivery
// calls store.InsertDelivery (what the request path does).
// BenchmarkGroupCommitBatch runs the same INSERT through store.Do and
// reports rows/commit: how many writes each group-committed transaction
// carried (ops of one batch share one *store.Tx). The "decode" variants
// first json.Unmarshal the payload, as the GitHub endpoint's Check does on
// the request path.
package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookpoint/hookpoint/internal/store"
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

func delivery(body []byte, n int64) *store.Delivery {
	return &store.Delivery{
		Plugin: "hookpoint.github", Endpoint: "/github", Mode: store.ModeQueued, Method: http.MethodPost,
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

type pushProbe struct {
	Ref        string `json:"ref"`
	Repository struct {
		FullName string `json:"full_name"`
	} `json:"repository"`
	Commits []struct {
		Message string `json:"message"`
	} `json:"commits"`
}

func BenchmarkInsertDelivery(b *testing.B) {
	body := payload(b)
	for name, st := range openStores(b) {
		for _, decode := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/decode=%v", name, decode), func(b *testing.B) {
				runID.Add(1)
				ctx := context.Background()
				parallel(b, func(n int64) {
					if decode {
						var e pushProbe
						if err := json.Unmarshal(body, &e); err != nil {
							b.Error(err)
						}
					}
					if _, _, err := st.InsertDelivery(ctx, delivery(body, n), "bench", time.Now().Add(time.Minute)); err != nil {
						b.Error(err)
					}
				})
			})
		}
	}
}

// insertSQL is InsertDelivery's statement (copied: the probe needs its own
// function in store.Do to see which transaction it ran in).
const insertSQL = `INSERT INTO deliveries
	(plugin, endpoint, mode, method, path, query, headers, body, client_addr, request_id, delivery_id,
	 state, attempts, max_attempts, run_at, lease_owner, lease_until, received_at, started_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (plugin, endpoint, delivery_id) WHERE delivery_id IS NOT NULL AND replay_of IS NULL DO NOTHING
	RETURNING id`

func BenchmarkGroupCommitBatch(b *testing.B) {
	body := payload(b)
	for name, st := range openStores(b) {
		for _, decode := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/decode=%v", name, decode), func(b *testing.B) {
				runID.Add(1)
				ctx := context.Background()
				var mu sync.Mutex
				txs := map[*store.Tx]int{}
				parallel(b, func(n int64) {
					if decode {
						var e pushProbe
						if err := json.Unmarshal(body, &e); err != nil {
							b.Error(err)
						}
					}
					d := delivery(body, n)
					headers, _ := json.Marshal(d.Header)
					now := time.Now().UnixMicro()
					err := st.Do(ctx, func(tx *store.Tx) error {
						mu.Lock()
						txs[tx]++
						mu.Unlock()
						var id int64
						return tx.QueryRow(ctx, insertSQL, d.Plugin, d.Endpoint, d.Mode, d.Method, d.Path, "", string(headers), d.Body,
							d.ClientAddr, d.RequestID, d.DeliveryID, store.StatePending, 0, d.MaxAttempts, now, "", 0, now, 0).Scan(&id)
					})
					if err != nil {
						b.Error(err)
					}
				})
				b.ReportMetric(float64(b.N)/float64(len(txs)), "rows/commit")
			})
		}
	}
}
