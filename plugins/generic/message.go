package generic

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/hookpoint/hookpoint/sdk"
	"strings"
	"text/template"
)

// Limits on messages, in runes, and on template output, in bytes.
const (
	// maxDefaultRunes caps a message built without TEMPLATE: a text
	// body, the compact JSON, or a title.
	maxDefaultRunes = 1000
	// maxMessageRunes caps a message rendered by TEMPLATE.
	maxMessageRunes = 4000
	// maxRenderBytes stops a template that writes more than this.
	maxRenderBytes = 64 << 10
	maxLineRunes   = 200
)

// Top-level JSON fields the default message looks for, in order.
var (
	eventKeys = []string{"event", "event_type", "eventType", "type", "kind", "object_kind"}
	titleKeys = []string{"title", "subject", "summary", "message", "text", "description", "name"}
	urlKeys   = []string{"url", "html_url", "web_url", "link"}
)

// defaultMessage formats a payload when no TEMPLATE is set. A text body
// is sent as is. A JSON object with an event or title field gives
//
//	🔔 <event> (<action>)
//	<title>
//	<url>
//
// (lines whose field is missing are left out); any other JSON is sent as
// compact JSON. Everything is cut to maxDefaultRunes.
func defaultMessage(p payload) string {
	if !p.isJSON {
		return sdk.Clip(p.text, maxDefaultRunes)
	}
	if obj, ok := p.value.(map[string]any); ok {
		event := sdk.FirstLine(firstString(obj, eventKeys), maxLineRunes)
		title := sdk.Clip(firstString(obj, titleKeys), maxDefaultRunes)
		if event != "" || title != "" {
			var lines []string
			switch {
			case event != "":
				if action := sdk.FirstLine(firstString(obj, []string{"action"}), maxLineRunes); action != "" {
					event += " (" + action + ")"
				}
				lines = append(lines, "🔔 "+event)
				if title != "" {
					lines = append(lines, title)
				}
			default:
				lines = append(lines, "🔔 "+title)
			}
			if u := sdk.FirstLine(firstString(obj, urlKeys), maxLineRunes); u != "" {
				lines = append(lines, u)
			}
			return strings.Join(lines, "\n")
		}
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, p.raw); err != nil {
		return sdk.Clip(p.text, maxDefaultRunes)
	}
	return sdk.Clip(buf.String(), maxDefaultRunes)
}

// firstString returns the first of keys whose value is a non-blank
// string, trimmed.
func firstString(obj map[string]any, keys []string) string {
	for _, k := range keys {
		if s, ok := obj[k].(string); ok && strings.TrimSpace(s) != "" {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

// templateFuncs are the functions TEMPLATE may call besides the
// text/template built-ins.
var templateFuncs = template.FuncMap{
	// json encodes a value as compact JSON: {{json .labels}}.
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
	// truncate cuts a value's text to n runes: {{.text | truncate 100}}.
	"truncate": func(n int, v any) string {
		if v == nil {
			return ""
		}
		if n < 1 {
			return ""
		}
		return sdk.Clip(fmt.Sprint(v), n)
	},
}

func parseTemplate(s string) (*template.Template, error) {
	return template.New("TEMPLATE").Funcs(templateFuncs).Parse(s)
}

// render executes the template with the decoded JSON payload, or the
// text body as a string, as dot. The result is trimmed and cut to
// maxMessageRunes.
func render(t *template.Template, p payload) (string, error) {
	var data any = p.text
	if p.isJSON {
		data = p.value
	}
	w := &cappedBuffer{max: maxRenderBytes}
	if err := t.Execute(w, data); err != nil && !errors.Is(err, errTooLong) {
		return "", err
	}
	out := strings.ToValidUTF8(w.buf.String(), "")
	if w.full {
		out += "…"
	}
	return sdk.Clip(strings.TrimSpace(out), maxMessageRunes), nil
}

var errTooLong = errors.New("template output too long")

// cappedBuffer keeps the first max bytes written to it and then fails.
type cappedBuffer struct {
	buf  bytes.Buffer
	max  int
	full bool
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	if room := c.max - c.buf.Len(); len(p) > room {
		c.buf.Write(p[:room])
		c.full = true
		return room, errTooLong
	}
	return c.buf.Write(p)
}
