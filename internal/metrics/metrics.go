// Package metrics keeps Hookpoint's counters and writes them in the
// Prometheus text exposition format.
package metrics

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
)

// Registry holds metric families in registration order.
type Registry struct {
	mu       sync.Mutex
	counters []*CounterVec
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
	r.mu.Unlock()
	var b strings.Builder
	for _, c := range counters {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s counter\n", c.name, c.help, c.name)
		c.mu.Lock()
		keys := make([]string, 0, len(c.values))
		for k := range c.values {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := c.values[k]
			b.WriteString(c.name)
			writeLabels(&b, c.labels, v.labels)
			fmt.Fprintf(&b, " %g\n", v.value)
		}
		c.mu.Unlock()
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
