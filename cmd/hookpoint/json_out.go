package main

import (
	"bytes"
	"encoding/json"
	"io"
)

// writeJSON writes v to w as indented JSON. Characters such as < and & are
// written as they are, not as \u003c: the output is read by people and
// programs, never embedded in HTML.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// printJSON indents raw JSON to w; anything that is not JSON is written
// as it is. Numbers keep their digits (ids beyond 2^53 included).
func printJSON(w io.Writer, raw []byte) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		_, err := w.Write(raw)
		return err
	}
	return writeJSON(w, v)
}
