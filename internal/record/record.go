// Package record defines what Hookpoint keeps: deliveries, tasks and chat
// messages, with their states. The store reads and writes them, the queue
// runs them and the admin API shows them; none of them knows how the
// others store or show them.
package record

import "errors"

// ErrNotFound is returned when a record does not exist.
var ErrNotFound = errors.New("not found")

// ErrUnavailable is returned when the database cannot take a write now:
// unreachable, stalled past the write timeout, or refusing writes. The
// write may or may not have landed (a commit whose answer was lost);
// trying again later may succeed, and a retried delivery with the same id
// is then told it is a duplicate.
var ErrUnavailable = errors.New("database unavailable")

// State is where a delivery or task is in its life.
type State string

// The states of deliveries and tasks.
const (
	StatePending   State = "pending"   // waiting for a worker, or for its retry
	StateRunning   State = "running"   // a handler or worker is running it
	StateDone      State = "done"      // handled
	StateFailed    State = "failed"    // an inline handler answered an error
	StateDead      State = "dead"      // gave up: dead-lettered
	StateCancelled State = "cancelled" // cancelled (tasks)
)

// DeliveryStates are the states a delivery can be in.
var DeliveryStates = []State{StatePending, StateRunning, StateDone, StateFailed, StateDead}

// TaskStates are the states a task can be in.
var TaskStates = []State{StatePending, StateRunning, StateDone, StateDead, StateCancelled}

// Finished reports whether s is final: nothing more will run.
func (s State) Finished() bool {
	return s == StateDone || s == StateFailed || s == StateDead || s == StateCancelled
}

// The queues, named as their tables.
const (
	QueueDeliveries = "deliveries"
	QueueTasks      = "tasks"
)
