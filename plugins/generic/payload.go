package generic

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/hookpoint/hookpoint/sdk"
)

// payload is a decoded request body.
type payload struct {
	// raw is the body as sent.
	raw []byte
	// isJSON reports a JSON body; value then holds it decoded, numbers
	// as json.Number so that large ids print as sent.
	isJSON bool
	value  any
	// text is the body as text.
	text string
}

func (p payload) kind() string {
	if p.isJSON {
		return "json"
	}
	return "text"
}

// decodePayload classifies and decodes a request body:
//
//   - an empty (or blank) body is a 400;
//   - a body that is not UTF-8 text, or holds NUL bytes, is a 415;
//   - a body sent as JSON (application/json or */*+json) must be valid
//     JSON, else 400;
//   - a body that is a JSON object or array is JSON whatever its
//     Content-Type says (curl -d sends form-encoded JSON, for one);
//   - anything else is text.
func decodePayload(req *sdk.Request) (payload, error) {
	body := req.Body
	if len(bytes.TrimSpace(body)) == 0 {
		return payload{}, sdk.Error(http.StatusBadRequest, "request body is empty; send JSON or text to relay")
	}
	ct := req.ContentType()
	if !utf8.Valid(body) || bytes.IndexByte(body, 0) >= 0 {
		return payload{}, sdk.Errorf(http.StatusUnsupportedMediaType, "request body is binary, not UTF-8 text (Content-Type %q); the relay accepts JSON or text", ct)
	}
	text := string(body)
	trimmed := bytes.TrimSpace(body)
	declared := ct == "application/json" || strings.HasSuffix(ct, "+json")
	looksJSON := (trimmed[0] == '{' || trimmed[0] == '[') && json.Valid(trimmed)
	if !declared && !looksJSON {
		return payload{raw: body, text: text}, nil
	}
	var check any
	if err := json.Unmarshal(body, &check); err != nil {
		return payload{}, sdk.Errorf(http.StatusBadRequest, "invalid JSON payload: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return payload{}, sdk.Errorf(http.StatusBadRequest, "invalid JSON payload: %w", err)
	}
	return payload{raw: body, isJSON: true, value: v, text: text}, nil
}
