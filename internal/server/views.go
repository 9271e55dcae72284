package server

import (
	"encoding/base64"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/hookpoint/hookpoint/internal/record"
)

// The admin API's JSON shapes: what it shows of the records, field by
// field, so that the store's types can change without changing the API.

// deliveryView is a delivery as the admin API shows it: headers redacted
// at storage, the body as text when it is UTF-8, else base64.
type deliveryView struct {
	ID             int64        `json:"id"`
	Plugin         string       `json:"plugin"`
	Endpoint       string       `json:"endpoint"`
	Mode           record.Mode  `json:"mode"`
	Method         string       `json:"method"`
	Path           string       `json:"path"`
	Query          string       `json:"query"`
	Header         http.Header  `json:"headers"`
	ClientAddr     string       `json:"client_addr"`
	RequestID      string       `json:"request_id"`
	DeliveryID     string       `json:"delivery_id,omitempty"`
	ReplayOf       int64        `json:"replay_of,omitempty"`
	State          record.State `json:"state"`
	Attempts       int          `json:"attempts"`
	MaxAttempts    int          `json:"max_attempts"`
	RunAt          time.Time    `json:"run_at"`
	LastError      string       `json:"last_error,omitempty"`
	ResponseStatus int          `json:"response_status,omitempty"`
	ReceivedAt     time.Time    `json:"received_at"`
	StartedAt      *time.Time   `json:"started_at,omitempty"`
	FinishedAt     *time.Time   `json:"finished_at,omitempty"`
	Body           string       `json:"body,omitempty"`
	BodyEncoding   string       `json:"body_encoding,omitempty"`
	BodyBytes      int          `json:"body_bytes"`
}

func newDeliveryView(d *record.Delivery, withBody bool) deliveryView {
	v := deliveryView{
		ID: d.ID, Plugin: d.Plugin, Endpoint: d.Endpoint, Mode: d.Mode, Method: d.Method, Path: d.Path, Query: d.Query,
		Header: d.Header, ClientAddr: d.ClientAddr, RequestID: d.RequestID, DeliveryID: d.DeliveryID, ReplayOf: d.ReplayOf,
		State: d.State, Attempts: d.Attempts, MaxAttempts: d.MaxAttempts, RunAt: d.RunAt, LastError: d.LastError,
		ResponseStatus: d.ResponseStatus, ReceivedAt: d.ReceivedAt, StartedAt: optional(d.StartedAt),
		FinishedAt: optional(d.FinishedAt), BodyBytes: len(d.Body),
	}
	if withBody {
		if utf8.Valid(d.Body) {
			v.Body, v.BodyEncoding = string(d.Body), "text"
		} else {
			v.Body, v.BodyEncoding = base64.StdEncoding.EncodeToString(d.Body), "base64"
		}
	}
	return v
}

// taskView is a task as the admin API shows it; its arguments only in
// the detail.
type taskView struct {
	ID          int64        `json:"id"`
	Plugin      string       `json:"plugin"`
	Kind        string       `json:"kind"`
	UniqueKey   string       `json:"unique_key,omitempty"`
	State       record.State `json:"state"`
	Attempts    int          `json:"attempts"`
	MaxAttempts int          `json:"max_attempts"`
	RunAt       time.Time    `json:"run_at"`
	LastError   string       `json:"last_error,omitempty"`
	Progress    string       `json:"progress,omitempty"`
	Delivery    int64        `json:"delivery,omitempty"`
	CreatedAt   time.Time    `json:"created_at"`
	StartedAt   *time.Time   `json:"started_at,omitempty"`
	FinishedAt  *time.Time   `json:"finished_at,omitempty"`
	Args        *string      `json:"args,omitempty"`
}

func newTaskView(t *record.Task, withArgs bool) taskView {
	v := taskView{
		ID: t.ID, Plugin: t.Plugin, Kind: t.Kind, UniqueKey: t.UniqueKey, State: t.State, Attempts: t.Attempts,
		MaxAttempts: t.MaxAttempts, RunAt: t.RunAt, LastError: t.LastError, Progress: t.Progress, Delivery: t.Delivery,
		CreatedAt: t.CreatedAt, StartedAt: optional(t.StartedAt), FinishedAt: optional(t.FinishedAt),
	}
	if withArgs {
		args := string(t.Args)
		v.Args = &args
	}
	return v
}

// messageView is a chat message as the admin API shows it.
type messageView struct {
	ID          int64            `json:"id"`
	ChatKey     string           `json:"chat_key"`
	Plugin      string           `json:"plugin"`
	Text        string           `json:"text"`
	Attachments []attachmentView `json:"attachments"`
	CreatedAt   time.Time        `json:"created_at"`
}

type attachmentView struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
}

func newMessageView(m record.Message) messageView {
	v := messageView{ID: m.ID, ChatKey: m.ChatKey, Plugin: m.Plugin, Text: m.Text, Attachments: []attachmentView{}, CreatedAt: m.CreatedAt}
	for _, a := range m.Attachments {
		v.Attachments = append(v.Attachments, attachmentView{Name: a.Name, ContentType: a.ContentType, Size: a.Size})
	}
	return v
}

// chatView summarises one chat.
type chatView struct {
	ChatKey       string    `json:"chat_key"`
	Messages      int64     `json:"messages"`
	LastMessageAt time.Time `json:"last_message_at"`
}

// optional returns a pointer to t, or nil for the zero time (omitted).
func optional(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
