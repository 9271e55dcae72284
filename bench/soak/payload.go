package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
)

// payload makes a GitHub push payload per delivery whose head commit
// message is the delivery's id, so that the plugin's inbox message
// ("Latest: <first line of the head commit message>") names it.
type payload struct {
	template []byte // with placeholder where the id goes
	secret   []byte
}

const placeholder = "SOAK-DELIVERY-ID"

// messageID finds the delivery id in an inbox message.
var messageID = regexp.MustCompile(`(?m)^Latest: (soak-[0-9a-z-]+)$`)

func newPayload(file, secret string) (*payload, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("reading payload: %w", err)
	}
	var v map[string]any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("decoding payload %s: %w", file, err)
	}
	head, ok := v["head_commit"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("payload %s has no head_commit", file)
	}
	head["message"] = placeholder
	tmpl, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding payload: %w", err)
	}
	return &payload{template: tmpl, secret: []byte(secret)}, nil
}

// body returns the payload of delivery id (letters, digits and dashes)
// and its X-Hub-Signature-256.
func (p *payload) body(id string) ([]byte, string) {
	b := bytes.Replace(p.template, []byte(placeholder), []byte(id), 1)
	m := hmac.New(sha256.New, p.secret)
	m.Write(b)
	return b, "sha256=" + hex.EncodeToString(m.Sum(nil))
}
