package resource

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// Resource is one stored resource.
type Resource struct {
	// ID identifies the resource; DELETE takes it as ?id=.
	ID string `json:"id"`
	// CreatedAt is when the POST arrived.
	CreatedAt time.Time `json:"created_at"`
	// Data is the JSON object that was posted.
	Data json.RawMessage `json:"data"`
}

// store keeps the resources in memory and in a JSON file, rewritten
// atomically on every change.
type store struct {
	path string

	mu    sync.Mutex
	items []Resource
}

func openStore(path string) (*store, error) {
	s := &store{path: path}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("loading resources: %w", err)
	}
	if err := json.Unmarshal(b, &s.items); err != nil {
		return nil, fmt.Errorf("loading resources from %s: %w", path, err)
	}
	return s, nil
}

// list returns the resources, oldest first.
func (s *store) list() []Resource {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Resource{}, s.items...)
}

// add stores a resource with a new random id.
func (s *store) add(data json.RawMessage, now time.Time) (Resource, error) {
	if now.IsZero() {
		now = time.Now()
	}
	r := Resource{ID: rand.Text(), CreatedAt: now.UTC(), Data: data}
	s.mu.Lock()
	defer s.mu.Unlock()
	items := append(slices.Clip(s.items), r)
	if err := s.write(items); err != nil {
		return Resource{}, err
	}
	s.items = items
	return r, nil
}

// remove deletes the resource id and reports whether it existed.
func (s *store) remove(id string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.items, func(r Resource) bool { return r.ID == id })
	if i < 0 {
		return false, nil
	}
	items := slices.Delete(slices.Clone(s.items), i, i+1)
	if err := s.write(items); err != nil {
		return false, err
	}
	s.items = items
	return true, nil
}

// write replaces the file with items: a temporary file in the same
// directory, synced, then renamed over the old one.
func (s *store) write(items []Resource) error {
	if items == nil {
		items = []Resource{}
	}
	b, err := json.MarshalIndent(items, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding resources: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(s.path), ".resources-*.tmp")
	if err != nil {
		return fmt.Errorf("saving resources: %w", err)
	}
	defer os.Remove(f.Name()) // fails harmlessly after the rename
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("saving resources: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("saving resources: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("saving resources: %w", err)
	}
	if err := os.Rename(f.Name(), s.path); err != nil {
		return fmt.Errorf("saving resources: %w", err)
	}
	return nil
}
