package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookpoint/hookpoint/plugins/report"
	"github.com/hookpoint/hookpoint/sdk"
	"github.com/hookpoint/hookpoint/sdk/sdktest"
)

const (
	token       = "example-shared-token"
	defaultChat = "inbox-group_reports"
)

type upload struct {
	filename    string // "" omits the file part
	contentType string
	data        []byte
	fields      map[string]string
}

// request encodes u as multipart/form-data the way a browser or curl -F
// does, with the bearer token.
func (u upload) request(t *testing.T) *sdk.Request {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range u.fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if u.filename != "" {
		hdr := textproto.MIMEHeader{}
		hdr.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; filename="%s"`, report.FieldFile, u.filename))
		hdr.Set("Content-Type", u.contentType)
		part, err := mw.CreatePart(hdr)
		if err != nil {
			t.Fatal(err)
		}
		part.Write(u.data)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &sdk.Request{
		Header: http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {mw.FormDataContentType()}},
		Body:   body.Bytes(),
	}
}

func setup(t *testing.T, cfg report.Config) *sdktest.Host {
	t.Helper()
	cfg.APIToken = sdk.NewSecret(token)
	h := sdktest.NewHost(t, report.ID)
	p := &report.Plugin{Config: cfg}
	sdktest.Provision(t, h, p)
	return h
}

func TestUpload(t *testing.T) {
	t.Parallel()
	h := setup(t, report.Config{DefaultChatKey: defaultChat})
	content := []byte("CPU: 42%\nMemory: 1.2 GiB\n")
	u := upload{
		filename:    "../../etc/passwd.txt",
		contentType: "text/plain; charset=utf-8",
		data:        content,
		fields:      map[string]string{report.FieldName: "Q3 ops", report.FieldTarget: "inbox-private_alice"},
	}
	resp, err := sdktest.Serve(t, h, report.Endpoint, u.request(t))
	if got := sdktest.Status(resp, err); got != http.StatusOK {
		t.Fatalf("status = %d (%v), want 200", got, err)
	}
	var got struct {
		Status   string
		Filename string
		Size     int
	}
	if err := json.Unmarshal(resp.Body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Status != "success" || got.Filename != "passwd.txt" || got.Size != len(content) {
		t.Errorf("answer = %+v, want success, passwd.txt, %d", got, len(content))
	}

	saved, err := os.ReadFile(filepath.Join(h.DataDir(), report.UploadDir, "passwd.txt"))
	if err != nil || !bytes.Equal(saved, content) {
		t.Errorf("saved file = %q, %v; want the upload", saved, err)
	}
	escaped := filepath.Join(h.DataDir(), report.UploadDir, "..", "..", "etc", "passwd.txt")
	if _, err := os.Stat(escaped); err == nil {
		t.Errorf("upload escaped the upload directory to %s", escaped)
	}

	sent := h.Sent()
	if len(sent) != 1 || sent[0].ChatKey != "inbox-private_alice" {
		t.Fatalf("sent = %+v, want one message to inbox-private_alice", sent)
	}
	want := fmt.Sprintf("New report 'Q3 ops' (passwd.txt, %d bytes):\n%s", len(content), content)
	if sent[0].Msg.Text != want {
		t.Errorf("message = %q, want %q", sent[0].Msg.Text, want)
	}
	if strings.Contains(h.Logs(), "CPU: 42%") {
		t.Errorf("logs contain the report's content:\n%s", h.Logs())
	}

	// The same name again is saved beside the first, not over it, and the
	// default chat is used without target_chat.
	u.filename = `..\..\windows\passwd.txt`
	delete(u.fields, report.FieldTarget)
	resp, err = sdktest.Serve(t, h, report.Endpoint, u.request(t))
	if status := sdktest.Status(resp, err); status != http.StatusOK || !strings.Contains(string(resp.Body), `"filename":"passwd-1.txt"`) {
		t.Fatalf("second upload = %d %v, want 200 with filename passwd-1.txt", status, err)
	}
	if sent := h.Sent(); len(sent) != 2 || sent[1].ChatKey != defaultChat {
		t.Errorf("second message went to %+v, want %s", sent[1:], defaultChat)
	}
}

func TestPreviewClipsCharacters(t *testing.T) {
	t.Parallel()
	h := setup(t, report.Config{DefaultChatKey: defaultChat})
	content := strings.Repeat("监控告警", 100) // 400 characters, 1200 bytes
	u := upload{filename: "告警.log", contentType: "text/plain", data: []byte(content), fields: map[string]string{report.FieldName: "alerts"}}
	resp, err := sdktest.Serve(t, h, report.Endpoint, u.request(t))
	if got := sdktest.Status(resp, err); got != http.StatusOK {
		t.Fatalf("status = %d (%v), want 200", got, err)
	}
	want := fmt.Sprintf("New report 'alerts' (告警.log, %d bytes):\n%s…", len(content), string([]rune(content)[:200]))
	if sent := h.Sent(); len(sent) != 1 || sent[0].Msg.Text != want {
		t.Errorf("sent = %+v, want %q", sent, want)
	}
}

func TestUploadRejected(t *testing.T) {
	t.Parallel()
	text := []byte("hello\n")
	named := map[string]string{report.FieldName: "r"}
	tests := []struct {
		name   string
		cfg    report.Config
		req    func(t *testing.T) *sdk.Request
		status int
	}{
		{"no token", report.Config{DefaultChatKey: defaultChat}, func(t *testing.T) *sdk.Request {
			r := upload{filename: "a.txt", contentType: "text/plain", data: text, fields: named}.request(t)
			r.Header.Del("Authorization")
			return r
		}, http.StatusUnauthorized},
		{"GET", report.Config{DefaultChatKey: defaultChat}, func(t *testing.T) *sdk.Request {
			return &sdk.Request{Method: "GET", Header: http.Header{"Authorization": {"Bearer " + token}}}
		}, http.StatusMethodNotAllowed},
		{"not multipart", report.Config{DefaultChatKey: defaultChat}, func(t *testing.T) *sdk.Request {
			return &sdk.Request{Header: http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {"application/json"}}, Body: []byte(`{}`)}
		}, http.StatusUnsupportedMediaType},
		{"image file", report.Config{DefaultChatKey: defaultChat}, func(t *testing.T) *sdk.Request {
			png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
			return upload{filename: "chart.png", contentType: "image/png", data: png, fields: named}.request(t)
		}, http.StatusBadRequest},
		{"no content type", report.Config{DefaultChatKey: defaultChat}, func(t *testing.T) *sdk.Request {
			return upload{filename: "a.txt", data: text, fields: named}.request(t)
		}, http.StatusBadRequest},
		{"not UTF-8", report.Config{DefaultChatKey: defaultChat}, func(t *testing.T) *sdk.Request {
			latin1 := []byte("caf\xe9\n")
			return upload{filename: "a.txt", contentType: "text/plain", data: latin1, fields: named}.request(t)
		}, http.StatusBadRequest},
		{"no file", report.Config{DefaultChatKey: defaultChat}, func(t *testing.T) *sdk.Request {
			return upload{fields: named}.request(t)
		}, http.StatusBadRequest},
		{"no report name", report.Config{DefaultChatKey: defaultChat}, func(t *testing.T) *sdk.Request {
			return upload{filename: "a.txt", contentType: "text/plain", data: text, fields: map[string]string{report.FieldName: "  "}}.request(t)
		}, http.StatusBadRequest},
		{"no chat at all", report.Config{}, func(t *testing.T) *sdk.Request {
			return upload{filename: "a.txt", contentType: "text/plain", data: text, fields: named}.request(t)
		}, http.StatusBadRequest},
		{"file over MAX_FILE_BYTES", report.Config{DefaultChatKey: defaultChat, MaxFileBytes: 5}, func(t *testing.T) *sdk.Request {
			return upload{filename: "a.txt", contentType: "text/plain", data: text, fields: named}.request(t)
		}, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := setup(t, tt.cfg)
			resp, err := sdktest.Serve(t, h, report.Endpoint, tt.req(t))
			if got := sdktest.Status(resp, err); got != tt.status {
				t.Fatalf("status = %d (%v), want %d", got, err, tt.status)
			}
			if entries, _ := os.ReadDir(filepath.Join(h.DataDir(), report.UploadDir)); len(entries) != 0 {
				t.Errorf("rejected upload saved files: %v", entries)
			}
			if sent := h.Sent(); len(sent) != 0 {
				t.Errorf("rejected upload sent messages: %+v", sent)
			}
		})
	}
}

func TestSendFailure(t *testing.T) {
	t.Parallel()
	h := sdktest.NewHost(t, report.ID)
	down := errors.New("adapter down")
	h.SendFunc = func(context.Context, string, sdk.Message) error { return down }
	p := &report.Plugin{Config: report.Config{APIToken: sdk.NewSecret(token), DefaultChatKey: defaultChat}}
	if err := p.Provision(h); err != nil {
		t.Fatal(err)
	}
	u := upload{filename: "a.txt", contentType: "text/plain", data: []byte("x"), fields: map[string]string{report.FieldName: "r"}}
	resp, err := sdktest.Serve(t, h, report.Endpoint, u.request(t))
	if got := sdktest.Status(resp, err); got != http.StatusInternalServerError || !errors.Is(err, down) {
		t.Errorf("status = %d (%v), want 500 wrapping %v", got, err, down)
	}
}

func TestConfig(t *testing.T) {
	t.Parallel()
	p := &report.Plugin{}
	raw := `{"API_TOKEN": "t", "DEFAULT_CHAT_KEY": "inbox-x", "MAX_FILE_BYTES": 2048}`
	if err := json.Unmarshal([]byte(raw), p.PluginConfig()); err != nil {
		t.Fatal(err)
	}
	if p.Config.APIToken.Reveal() != "t" || p.Config.DefaultChatKey != "inbox-x" || p.Config.MaxFileBytes != 2048 {
		t.Errorf("config = %+v", p.Config)
	}
	if err := p.Validate(); err != nil {
		t.Errorf("Validate = %v", err)
	}
	h := sdktest.NewHost(t, report.ID)
	if err := p.Provision(h); err != nil {
		t.Fatal(err)
	}
	if w, _ := h.Mounted(report.Endpoint); w.MaxBodyBytes <= 2048 {
		t.Errorf("MaxBodyBytes = %d, want room for a 2048-byte file", w.MaxBodyBytes)
	}
	bad := &report.Plugin{Config: report.Config{MaxFileBytes: -1}}
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "API_TOKEN") || !strings.Contains(err.Error(), "MAX_FILE_BYTES") {
		t.Errorf("Validate = %v, want errors for API_TOKEN and MAX_FILE_BYTES", err)
	}
}
