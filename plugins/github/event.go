package github

import (
	"log/slog"

	"github.com/hookpoint/hookpoint/sdk"
)

// HeaderEvent is the header that names a delivery's event.
const HeaderEvent = "X-GitHub-Event"

// Event names handled by the plugin, as sent in X-GitHub-Event.
const (
	EventPing   = "ping"
	EventIssues = "issues"
	EventPush   = "push"
)

// reply is what handling one event produced.
type reply struct {
	// text is the chat message; "" sends nothing.
	text string
	// extra holds fields added to the JSON answer.
	extra map[string]any
	// logAttrs are added to the request's log records.
	logAttrs []any
}

// eventFunc handles the JSON payload of one event.
type eventFunc func(payload []byte) (reply, error)

// events maps an X-GitHub-Event value to its handler. To handle another
// event, add its payload type to payload.go, its message to message.go
// and an entry here.
var events = map[string]eventFunc{
	EventPing: decode(func(e *PingEvent) reply {
		return reply{
			extra:    map[string]any{"zen": e.Zen, "hook_id": e.HookID},
			logAttrs: []any{slog.Int64("hook_id", e.HookID)},
		}
	}),
	EventPush: decode(func(e *PushEvent) reply {
		return reply{text: pushMessage(e), logAttrs: []any{"repo", e.Repository.FullName, "ref", e.Ref}}
	}),
	EventIssues: decode(func(e *IssuesEvent) reply {
		return reply{text: issuesMessage(e), logAttrs: []any{"repo", e.Repository.FullName, "action", e.Action}}
	}),
}

// decode returns an eventFunc that decodes the payload into a T and
// calls f. A payload that is not a JSON object is a 400.
func decode[T any](f func(*T) reply) eventFunc {
	return func(payload []byte) (reply, error) {
		var e T
		if err := sdk.DecodeJSON(payload, &e); err != nil {
			return reply{}, err
		}
		return f(&e), nil
	}
}
