package store

import (
	"strings"
	"sync"
)

// Chunk is the largest power of two up to n: multi-row statements are
// built for chunks of these sizes, so that a handful of statements, each
// prepared once, serve every batch.
func Chunk(n int) int {
	c := 1
	for c*2 <= n {
		c *= 2
	}
	return c
}

// EachChunk calls fn with consecutive chunks of items, of Chunk sizes.
func EachChunk[T any](items []T, fn func(chunk []T) error) error {
	for len(items) > 0 {
		n := Chunk(len(items))
		if err := fn(items[:n]); err != nil {
			return err
		}
		items = items[n:]
	}
	return nil
}

// ValuesList is n copies of row, comma-separated: the rows of a
// multi-row VALUES.
func ValuesList(row string, n int) string {
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

// MultiRowSQL is a statement written for n rows at a time, built once for
// each n.
type MultiRowSQL struct {
	build func(n int) string
	built sync.Map // n → SQL
}

// NewMultiRowSQL returns the statement that build writes for n rows.
func NewMultiRowSQL(build func(n int) string) *MultiRowSQL {
	return &MultiRowSQL{build: build}
}

// For returns the statement for n rows.
func (m *MultiRowSQL) For(n int) string {
	if q, ok := m.built.Load(n); ok {
		return q.(string)
	}
	q := m.build(n)
	m.built.Store(n, q)
	return q
}
