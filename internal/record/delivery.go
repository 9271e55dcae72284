package record

import (
	"net/http"
	"time"
)

// Mode is how a delivery's handler runs.
type Mode string

// The delivery modes.
const (
	ModeInline Mode = "inline" // in the request; its result is the answer
	ModeQueued Mode = "queued" // from the queue, after a 202
)

// Delivery is one verified webhook request and its processing.
type Delivery struct {
	ID       int64
	Plugin   string
	Endpoint string
	Mode     Mode
	Method   string
	Path     string
	// Query is the URL query, encoded, with credentials redacted.
	Query string
	// Header holds the request headers with credentials redacted.
	Header     http.Header
	Body       []byte
	ClientAddr string
	RequestID  string
	// DeliveryID is the sender's id of the delivery, or "".
	DeliveryID string
	// ReplayOf is the delivery this one replays, or 0.
	ReplayOf       int64
	State          State
	Attempts       int
	MaxAttempts    int
	RunAt          time.Time
	LastError      string
	ResponseStatus int
	ReceivedAt     time.Time
	StartedAt      time.Time // zero until a handler first started
	FinishedAt     time.Time // zero until finished
	// Damaged says why the stored headers or body could not be read back
	// (a damaged database); Header and Body are then empty.
	Damaged error
}

// Attempt returns the run that the delivery's Attempts counts.
func (d *Delivery) Attempt() Attempt {
	return Attempt{ID: d.ID, Number: d.Attempts, Max: d.MaxAttempts}
}

// Answer is what an inline handler answered: kept, when it succeeded, so
// that a redelivery with the same delivery id gets the same answer.
type Answer struct {
	Status      int
	ContentType string
	Body        []byte
}

// MaxAnswerBytes is the largest answer body kept; a larger one is not.
const MaxAnswerBytes = 64 << 10

// Receipt says what storing a delivery did.
type Receipt int

// The receipts of a stored delivery.
const (
	// Stored: a new delivery; an inline one is now held by the caller,
	// who runs it and records its outcome.
	Stored Receipt = iota
	// Duplicate: the sender's delivery id was seen before on the
	// endpoint; the id returned is the original's.
	Duplicate
	// Busy: an inline delivery with that id is being handled right now.
	Busy
)

// MaxReplay is the most deliveries one replay takes; a filter that selects
// more is replayed page by page.
const MaxReplay = 10000

// DeliveryFilter selects deliveries; zero fields match everything.
type DeliveryFilter struct {
	ID         int64
	Plugin     string
	Endpoint   string
	State      State
	DeliveryID string
	Since      time.Time
	Until      time.Time
	// Before pages backwards: only ids below it.
	Before int64
	// Limit defaults to 100.
	Limit int
}

// Empty reports whether f selects every delivery.
func (f DeliveryFilter) Empty() bool {
	return f.ID == 0 && f.Plugin == "" && f.Endpoint == "" && f.State == "" && f.DeliveryID == "" &&
		f.Since.IsZero() && f.Until.IsZero() && f.Before == 0
}
