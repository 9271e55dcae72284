package record

import (
	"errors"
	"time"
)

// Attempt is one run of a queued delivery or task.
type Attempt struct {
	// ID is the delivery's or task's id.
	ID int64
	// Number counts the runs, this one included, from 1.
	Number int
	// Max is the last attempt before the work is dead-lettered.
	Max int
	// Started is when the run began; zero means when it completes.
	Started time.Time
}

// Completion is what the store records when a run ends: the row's new
// state and, for a successful run, what the run sent and enqueued,
// written in the same transaction.
type Completion struct {
	Attempt Attempt
	// Owner must still hold the row's lease, or nothing is written.
	Owner          string
	State          State
	RunAt          time.Time
	AttemptsDelta  int // -1 gives back the attempt (a snooze)
	LastError      string
	FinishedAt     time.Time
	ResponseStatus int // deliveries
	Messages       []Message
	Tasks          []NewTask
}

// ErrLeaseLost means a run ended after its lease was taken over: its
// outcome and effects were not recorded.
var ErrLeaseLost = errors.New("lease lost")
