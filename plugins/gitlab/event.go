package gitlab

import "github.com/hookpoint/hookpoint/sdk"

// HeaderEvent is the header that names a delivery's event.
const HeaderEvent = "X-Gitlab-Event"

// Event names handled by the plugin, as sent in X-Gitlab-Event.
// Confidential issues ("Confidential Issue Hook") are deliberately not
// handled: their titles must not leak into a shared chat.
const (
	EventPush         = "Push Hook"
	EventTagPush      = "Tag Push Hook"
	EventMergeRequest = "Merge Request Hook"
	EventIssue        = "Issue Hook"
	EventPipeline     = "Pipeline Hook"
	EventRelease      = "Release Hook"
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

// events maps an X-Gitlab-Event value to its handler. To handle another
// event, add its payload type to payload.go, its message to message.go
// and an entry here.
var events = map[string]eventFunc{
	EventPush: decode(func(e *PushEvent) reply {
		return reply{text: pushMessage(e), logAttrs: []any{"project", e.Project.PathWithNamespace, "ref", e.Ref}}
	}),
	EventTagPush: decode(func(e *PushEvent) reply {
		return reply{text: tagPushMessage(e), logAttrs: []any{"project", e.Project.PathWithNamespace, "ref", e.Ref}}
	}),
	EventMergeRequest: decode(func(e *MergeRequestEvent) reply {
		return reply{text: mergeRequestMessage(e), logAttrs: []any{"project", e.Project.PathWithNamespace, "action", e.ObjectAttributes.Action}}
	}),
	EventIssue: decode(func(e *IssueEvent) reply {
		return reply{text: issueMessage(e), logAttrs: []any{"project", e.Project.PathWithNamespace, "action", e.ObjectAttributes.Action}}
	}),
	EventPipeline: decode(func(e *PipelineEvent) reply {
		status := e.ObjectAttributes.Status
		r := reply{logAttrs: []any{"project", e.Project.PathWithNamespace, "pipeline_status", status}}
		// GitLab sends a Pipeline Hook for every status change; only
		// the final one is worth a message.
		if finalPipelineStatus[status] {
			r.text = pipelineMessage(e)
		} else {
			r.extra = map[string]any{"notified": false, "reason": "pipeline status " + sdk.Clip(status, 50) + " is not final"}
		}
		return r
	}),
	EventRelease: decode(func(e *ReleaseEvent) reply {
		return reply{text: releaseMessage(e), logAttrs: []any{"project", e.Project.PathWithNamespace, "action", e.Action}}
	}),
}

// finalPipelineStatus lists the pipeline statuses that end a pipeline.
var finalPipelineStatus = map[string]bool{
	"success":  true,
	"failed":   true,
	"canceled": true,
	"skipped":  true,
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
