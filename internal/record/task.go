package record

import "time"

// Task is a durable background task.
type Task struct {
	ID          int64
	Plugin      string
	Kind        string
	Args        []byte // JSON
	UniqueKey   string
	State       State
	Attempts    int
	MaxAttempts int
	RunAt       time.Time
	LastError   string
	Progress    string
	Delivery    int64 // the delivery whose handler enqueued it, or 0
	CreatedAt   time.Time
	StartedAt   time.Time // zero until it first ran
	FinishedAt  time.Time // zero until finished
}

// Attempt returns the run that the task's Attempts counts.
func (t *Task) Attempt() Attempt {
	return Attempt{ID: t.ID, Number: t.Attempts, Max: t.MaxAttempts}
}

// NewTask is a task to enqueue.
type NewTask struct {
	// ID, when set, is the id reserved for the task (see the store's
	// ReserveTaskID); 0 takes the next one.
	ID          int64
	Plugin      string
	Kind        string
	Args        []byte
	UniqueKey   string
	MaxAttempts int
	RunAt       time.Time
	Delivery    int64
}

// TaskFilter selects tasks; zero fields match everything.
type TaskFilter struct {
	Plugin string
	Kind   string
	State  State
	Before int64
	Limit  int
}

// Cancel says what cancelling a task did.
type Cancel int

// The outcomes of cancelling a task.
const (
	CancelNotFound  Cancel = iota // no such task
	Cancelled                     // it was pending: it will not run
	CancelRequested               // it is running: its run is being cancelled
	CancelFinished                // it had already finished
)
