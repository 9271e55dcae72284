package queue_test

import (
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/hookpoint/hookpoint/internal/queue"
	"github.com/hookpoint/hookpoint/internal/record"
	"github.com/hookpoint/hookpoint/internal/store/storetest"
)

// BenchmarkDrain measures how fast one runner with the default number of
// workers drains a backlog of b.N deliveries, each run writing one inbox
// message in its completion: the queue's own cost, without HTTP or a
// plugin. It reports deliveries/s and the writes per group commit.
//
//	go test ./internal/queue -run '^$' -bench Drain -cpu 1
func BenchmarkDrain(b *testing.B) {
	for _, d := range storetest.Dialects {
		b.Run(d.String(), func(b *testing.B) {
			s := storetest.Open(b, d)
			for i := range b.N {
				if _, _, err := s.InsertDelivery(ctx, storetest.QueuedDelivery(fmt.Sprint("drain", i)), "", time.Time{}); err != nil {
					b.Fatal(err)
				}
			}
			w := &countingWork{s: s, failEvery: 1 << 62}
			r := queue.NewRunner(s.DeliveryQueue(), "bench", queue.Config{}, w, slog.New(slog.DiscardHandler))
			commits0, writes0 := s.WriteStats()
			b.ResetTimer()
			stop := start(r)
			for {
				counts, err := s.CountDeliveries(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if counts[record.StateDone] == int64(b.N) {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			b.StopTimer()
			stop()
			commits, writes := s.WriteStats()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
			b.ReportMetric(float64(writes-writes0)/float64(max(1, commits-commits0)), "writes/commit")
		})
	}
}
