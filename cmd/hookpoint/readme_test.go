package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/hookpoint/hookpoint/internal/config"
)

var update = flag.Bool("update", false, "rewrite the README's generated plugin reference")

const (
	readmePath     = "../../README.md"
	referenceBegin = "<!-- BEGIN plugin reference"
	referenceEnd   = "<!-- END plugin reference -->"
)

// The README's plugin configuration reference is what the plugins' config
// types say. After changing a plugin's config, regenerate it with
//
//	go test ./cmd/hookpoint -run TestREADMEReference -update
func TestREADMEReference(t *testing.T) {
	docs, err := describePlugins(context.Background(), config.Default())
	if err != nil {
		t.Fatal(err)
	}
	var ref bytes.Buffer
	writeReference(&ref, docs)
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	s := string(readme)
	begin := strings.Index(s, referenceBegin)
	end := strings.Index(s, referenceEnd)
	if begin < 0 || end < begin {
		t.Fatalf("README.md has no %q ... %q block", referenceBegin, referenceEnd)
	}
	begin += strings.Index(s[begin:], "-->") + len("-->\n")
	want := "\n" + ref.String()
	if s[begin:end] == want {
		return
	}
	if *update {
		if err := os.WriteFile(readmePath, []byte(s[:begin]+want+s[end:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's plugin reference is out of date; run\n\tgo test ./cmd/hookpoint -run TestREADMEReference -update\nwant:\n%s", want)
}
