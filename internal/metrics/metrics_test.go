package metrics

import (
	"strings"
	"testing"
)

func TestWriteText(t *testing.T) {
	r := NewRegistry()
	c := r.Counter("hookpoint_requests_total", "Requests.", "plugin", "status")
	c.Inc("a.b", "200")
	c.Inc("a.b", "200")
	c.Add(3, "a.b", "403")
	c.Inc(`we"ird`, "400")
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := `# HELP hookpoint_requests_total Requests.
# TYPE hookpoint_requests_total counter
hookpoint_requests_total{plugin="a.b",status="200"} 2
hookpoint_requests_total{plugin="a.b",status="403"} 3
hookpoint_requests_total{plugin="we\"ird",status="400"} 1
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	if c.Value("a.b", "403") != 3 || c.Value("x", "y") != 0 {
		t.Error("Value wrong")
	}
}

func TestHistogramAndGauge(t *testing.T) {
	r := NewRegistry()
	h := r.Histogram("lat_seconds", "Latency.", []float64{0.1, 1}, "q")
	h.Observe(0.05, "a")
	h.Observe(0.5, "a")
	h.Observe(5, "a")
	r.GaugeFunc("depth", "Depth.", "state", func() map[string]float64 { return map[string]float64{"pending": 3} })
	var b strings.Builder
	r.WriteText(&b)
	for _, want := range []string{
		`lat_seconds_bucket{q="a",le="0.1"} 1`,
		`lat_seconds_bucket{q="a",le="1"} 2`,
		`lat_seconds_bucket{q="a",le="+Inf"} 3`,
		`lat_seconds_sum{q="a"} 5.55`,
		`lat_seconds_count{q="a"} 3`,
		`depth{state="pending"} 3`,
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("missing %q in\n%s", want, b.String())
		}
	}
}
