package store

import (
	"net/http"

	json "github.com/go-json-experiment/json/v1" // encoding/json on a faster engine (see sdk/request.go)
)

// A delivery's headers are stored as the JSON object encoding/json writes
// for an http.Header: keys sorted, no spaces, <, > and & escaped. Rows
// written by earlier versions hold the same bytes.

// encodeHeaders returns h as stored.
func encodeHeaders(h http.Header) (string, error) {
	b, err := json.Marshal(h)
	return string(b), err
}

// decodeHeaders reads headers as stored, by this version or an earlier
// one.
func decodeHeaders(s string) (http.Header, error) {
	var h http.Header
	if err := json.Unmarshal([]byte(s), &h); err != nil {
		return nil, err
	}
	return h, nil
}
