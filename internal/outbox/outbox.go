// Package outbox collects what a queued run produces — chat messages and
// new tasks — so that they are committed together with the run's success
// and never twice when a run is retried.
package outbox

import (
	"context"
	"sync"

	"github.com/hookpoint/hookpoint/internal/record"
)

// Outbox holds one run's effects.
type Outbox struct {
	mu       sync.Mutex
	messages []record.Message
	tasks    []record.NewTask
}

type key struct{}

// With returns a context carrying a new Outbox, and the Outbox.
func With(ctx context.Context) (context.Context, *Outbox) {
	o := &Outbox{}
	return context.WithValue(ctx, key{}, o), o
}

// From returns the context's Outbox, or nil outside a queued run.
func From(ctx context.Context) *Outbox {
	o, _ := ctx.Value(key{}).(*Outbox)
	return o
}

// AddMessage records a message to send.
func (o *Outbox) AddMessage(m record.Message) {
	o.mu.Lock()
	o.messages = append(o.messages, m)
	o.mu.Unlock()
}

// AddTask records a task to enqueue.
func (o *Outbox) AddTask(t record.NewTask) {
	o.mu.Lock()
	o.tasks = append(o.tasks, t)
	o.mu.Unlock()
}

// Messages returns the recorded messages.
func (o *Outbox) Messages() []record.Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]record.Message(nil), o.messages...)
}

// Tasks returns the recorded tasks.
func (o *Outbox) Tasks() []record.NewTask {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]record.NewTask(nil), o.tasks...)
}
