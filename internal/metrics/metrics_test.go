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
