// Package metrics keeps Hookpoint's counters and writes them in the
// Prometheus text exposition format.
package metrics

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
)

// Registry holds metric families in registration order.
type Registry struct {
	mu         sync.Mutex
	counters   []*CounterVec
	histograms []*HistogramVec
	gauges     []*GaugeFunc
	process    bool // RegisterProcess was called
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{} }

// CounterVec is a counter with labels.
type CounterVec struct {
	name, help string
	labels     []string

	mu     sync.Mutex
	values map[string]*counter
}

type counter struct {
	labels []string
	value  float64
}

// Counter registers a counter family.
func (r *Registry) Counter(name, help string, labels ...string) *CounterVec {
	c := &CounterVec{name: name, help: help, labels: labels, values: map[string]*counter{}}
	r.mu.Lock()
	r.counters = append(r.counters, c)
	r.mu.Unlock()
	return c
}

// Inc adds one to the counter with the given label values.
func (c *CounterVec) Inc(values ...string) { c.Add(1, values...) }

// Add adds n to the counter with the given label values.
func (c *CounterVec) Add(n float64, values ...string) {
	if len(values) != len(c.labels) {
		panic(fmt.Sprintf("metrics: %s takes %d label values, got %d", c.name, len(c.labels), len(values)))
	}
	key := strings.Join(values, "\x00")
	c.mu.Lock()
	v := c.values[key]
	if v == nil {
		v = &counter{labels: append([]string(nil), values...)}
		c.values[key] = v
	}
	v.value += n
	c.mu.Unlock()
}

// Value returns the counter's value for the label values.
func (c *CounterVec) Value(values ...string) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v := c.values[strings.Join(values, "\x00")]; v != nil {
		return v.value
	}
	return 0
}

// WriteText writes every family in the Prometheus text format.
func (r *Registry) WriteText(w io.Writer) error {
	r.mu.Lock()
	counters := append([]*CounterVec(nil), r.counters...)
	histograms := append([]*HistogramVec(nil), r.histograms...)
	gauges := append([]*GaugeFunc(nil), r.gauges...)
	process := r.process
	r.mu.Unlock()
	var b strings.Builder
	for _, c := range counters {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s counter\n", c.name, c.help, c.name)
		c.mu.Lock()
		for _, k := range slices.Sorted(maps.Keys(c.values)) {
			v := c.values[k]
			b.WriteString(c.name)
			writeLabels(&b, c.labels, v.labels)
			fmt.Fprintf(&b, " %g\n", v.value)
		}
		c.mu.Unlock()
	}
	for _, h := range histograms {
		h.write(&b)
	}
	for _, g := range gauges {
		g.write(&b)
	}
	if process {
		writeProcess(&b)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeLabels(b *strings.Builder, names, values []string) {
	if len(names) == 0 {
		return
	}
	b.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(b, "%s=%q", n, escape(values[i]))
	}
	b.WriteByte('}')
}

// escape prepares a label value for %q: Prometheus escapes backslash,
// double quote and newline, which %q does too; other control characters
// are replaced so the line stays valid.
func escape(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

// HistogramVec is a histogram with labels.
type HistogramVec struct {
	name, help string
	labels     []string
	buckets    []float64

	mu     sync.Mutex
	values map[string]*histogram
}

type histogram struct {
	labels []string
	counts []uint64 // per bucket, not cumulative
	count  uint64
	sum    float64
}

// DefaultBuckets suit latencies in seconds, from 1 ms to 30 s.
var DefaultBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// Histogram registers a histogram family with the given upper bounds.
func (r *Registry) Histogram(name, help string, buckets []float64, labels ...string) *HistogramVec {
	h := &HistogramVec{name: name, help: help, labels: labels, buckets: buckets, values: map[string]*histogram{}}
	r.mu.Lock()
	r.histograms = append(r.histograms, h)
	r.mu.Unlock()
	return h
}

// Observe records v for the label values.
func (h *HistogramVec) Observe(v float64, values ...string) {
	if len(values) != len(h.labels) {
		panic(fmt.Sprintf("metrics: %s takes %d label values, got %d", h.name, len(h.labels), len(values)))
	}
	key := strings.Join(values, "\x00")
	h.mu.Lock()
	defer h.mu.Unlock()
	e := h.values[key]
	if e == nil {
		e = &histogram{labels: append([]string(nil), values...), counts: make([]uint64, len(h.buckets))}
		h.values[key] = e
	}
	for i, b := range h.buckets {
		if v <= b {
			e.counts[i]++
			break
		}
	}
	e.count++
	e.sum += v
}

func (h *HistogramVec) write(b *strings.Builder) {
	fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s histogram\n", h.name, h.help, h.name)
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, k := range slices.Sorted(maps.Keys(h.values)) {
		e := h.values[k]
		var cum uint64
		for i, ub := range h.buckets {
			cum += e.counts[i]
			b.WriteString(h.name + "_bucket")
			writeLabels(b, append(append([]string(nil), h.labels...), "le"), append(append([]string(nil), e.labels...), fmt.Sprintf("%g", ub)))
			fmt.Fprintf(b, " %d\n", cum)
		}
		b.WriteString(h.name + "_bucket")
		writeLabels(b, append(append([]string(nil), h.labels...), "le"), append(append([]string(nil), e.labels...), "+Inf"))
		fmt.Fprintf(b, " %d\n", e.count)
		b.WriteString(h.name + "_sum")
		writeLabels(b, h.labels, e.labels)
		fmt.Fprintf(b, " %g\n", e.sum)
		b.WriteString(h.name + "_count")
		writeLabels(b, h.labels, e.labels)
		fmt.Fprintf(b, " %d\n", e.count)
	}
}

// GaugeFunc is a gauge whose values are read when metrics are written.
type GaugeFunc struct {
	name, help string
	labels     []string
	read       func() map[string]float64 // by the single label's value
}

// GaugeFunc registers a gauge with one label whose values read returns at
// every scrape. With label "", the gauge has no label, and read returns
// its one value under "".
func (r *Registry) GaugeFunc(name, help, label string, read func() map[string]float64) {
	var labels []string
	if label != "" {
		labels = []string{label}
	}
	r.mu.Lock()
	r.gauges = append(r.gauges, &GaugeFunc{name: name, help: help, labels: labels, read: read})
	r.mu.Unlock()
}

func (g *GaugeFunc) write(b *strings.Builder) {
	fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s gauge\n", g.name, g.help, g.name)
	vals := g.read()
	for _, k := range slices.Sorted(maps.Keys(vals)) {
		b.WriteString(g.name)
		writeLabels(b, g.labels, []string{k})
		fmt.Fprintf(b, " %g\n", vals[k])
	}
}
