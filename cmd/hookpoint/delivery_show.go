package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// deliveryDetail is one delivery as the admin API shows it.
type deliveryDetail struct {
	deliveryRow
	Path         string     `json:"path"`
	Query        string     `json:"query"`
	ClientAddr   string     `json:"client_addr"`
	RequestID    string     `json:"request_id"`
	RunAt        time.Time  `json:"run_at"`
	StartedAt    *time.Time `json:"started_at"`
	FinishedAt   *time.Time `json:"finished_at"`
	Body         string     `json:"body"`
	BodyEncoding string     `json:"body_encoding"`
}

// printDelivery writes a readable view of d: its fields, its headers one
// per line (as stored: credentials redacted), and its body, pretty-printed
// when it is JSON or a form.
func printDelivery(w io.Writer, d *deliveryDetail) error {
	fl := newFieldList(w)
	field := fl.add
	field("delivery", strconv.FormatInt(d.ID, 10))
	field("plugin", d.Plugin)
	field("endpoint", d.Endpoint)
	field("event", d.event())
	field("mode", d.Mode)
	field("request", strings.TrimSpace(d.Method+" "+d.Path+queryPart(d.Query)))
	field("client", d.ClientAddr)
	field("request id", d.RequestID)
	field("delivery id", d.DeliveryID)
	field("replay of", strconv.FormatInt(d.ReplayOf, 10))
	field("state", d.State)
	field("attempts", d.attempts())
	field("received", localTime(&d.ReceivedAt))
	if d.State == "pending" {
		field("next run", localTime(&d.RunAt))
	}
	field("started", localTime(d.StartedAt))
	field("finished", localTime(d.FinishedAt))
	field("answered", strconv.Itoa(d.ResponseStatus))
	field("last error", d.LastError)
	if err := fl.flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nheaders:")
	names := make([]string, 0, len(d.Header))
	for k := range d.Header {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		for _, v := range d.Header[k] {
			fmt.Fprintf(w, "  %s: %s\n", k, v)
		}
	}
	kind, text := formatBody(headerValue(d.Header, "Content-Type"), d.Body, d.BodyEncoding)
	fmt.Fprintf(w, "\nbody (%d bytes, %s):\n", d.BodyBytes, kind)
	if text != "" {
		fmt.Fprintln(w, strings.TrimRight(text, "\n"))
	}
	return nil
}

// formatBody returns what kind of body it is and the body to print: JSON
// indented, a form as "key = value" lines (a value that is JSON, such as
// GitHub's payload field, indented too), other text as it is, and nothing
// for a binary (base64) body.
func formatBody(contentType, body, encoding string) (kind, text string) {
	switch {
	case encoding == "base64":
		return "binary", ""
	case body == "":
		return "empty", ""
	}
	if js, ok := indentJSON(body); ok {
		return "JSON", js
	}
	if mt, _, _ := mime.ParseMediaType(contentType); mt == "application/x-www-form-urlencoded" {
		if form, ok := formLines(body); ok {
			return "form", form
		}
	}
	return "text", body
}

// indentJSON indents s when it is one JSON value, keeping its key order
// and numbers as they are.
func indentJSON(s string) (string, bool) {
	var b bytes.Buffer
	if err := json.Indent(&b, []byte(s), "", "  "); err != nil {
		return "", false
	}
	return b.String(), true
}

// formLines writes a form body as "key = value" lines, in the body's
// order; a value that is a JSON object or array is indented.
func formLines(body string) (string, bool) {
	var b strings.Builder
	for pair := range strings.SplitSeq(body, "&") {
		if pair == "" {
			continue
		}
		rawKey, rawValue, _ := strings.Cut(pair, "=")
		key, err1 := url.QueryUnescape(rawKey)
		value, err2 := url.QueryUnescape(rawValue)
		if err1 != nil || err2 != nil {
			return "", false
		}
		if v := strings.TrimSpace(value); strings.HasPrefix(v, "{") || strings.HasPrefix(v, "[") {
			if js, ok := indentJSON(v); ok {
				value = js
			}
		}
		fmt.Fprintf(&b, "%s = %s\n", key, value)
	}
	return b.String(), true
}

// headerValue returns the first value of header name in h, matching the
// name in any case.
func headerValue(h map[string][]string, name string) string {
	for k, vs := range h {
		if strings.EqualFold(k, name) && len(vs) > 0 {
			return vs[0]
		}
	}
	return ""
}

func queryPart(q string) string {
	if q == "" {
		return ""
	}
	return "?" + q
}

// localTime formats t in the local time zone, or "" for none.
func localTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.Local().Format(time.DateTime)
}
