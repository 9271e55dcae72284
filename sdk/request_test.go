package sdk_test

import (
	"bytes"
	"errors"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookpoint/hookpoint/sdk"
)

func statusOf(t *testing.T, err error) int {
	t.Helper()
	var he *sdk.HTTPError
	if !errors.As(err, &he) {
		t.Fatalf("error %v is not an *sdk.HTTPError", err)
	}
	return he.Status
}

func TestDecodeJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		body   string
		status int
		detail string // what the answer's detail must say
	}{
		{"object", `{"task_id":"a"}`, 0, ""},
		{"empty", ``, 400, "invalid JSON payload: it is empty"},
		{"spaces", "  \n", 400, "invalid JSON payload: it is empty"},
		{"truncated", `{"task_id":`, 400, "at byte 11: unexpected end of JSON input"},
		{"array", `[1,2]`, 400, "the payload must be a JSON object, not array"},
		{"scalar", `"x"`, 400, "the payload must be a JSON object, not string"},
		{"wrong field type", `{"task_id":5}`, 400, "task_id must be string, not number"},
		{"trailing garbage", `{"task_id":"a"} x`, 400, "at byte 17: invalid character 'x' after top-level value"},
		{"binary", "\x00\xff\xfe", 400, "at byte 1: invalid character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var v struct {
				TaskID string `json:"task_id"`
			}
			err := (&sdk.Request{Body: []byte(tt.body)}).DecodeJSON(&v)
			if tt.status == 0 {
				if err != nil {
					t.Fatalf("DecodeJSON: %v", err)
				}
				return
			}
			if got := statusOf(t, err); got != tt.status {
				t.Errorf("status = %d, want %d (%v)", got, tt.status, err)
			}
			var he *sdk.HTTPError
			if errors.As(err, &he) && !strings.Contains(he.Detail, tt.detail) {
				t.Errorf("detail = %q, want it to say %q", he.Detail, tt.detail)
			}
		})
	}
}

func TestForm(t *testing.T) {
	t.Parallel()
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}}
	v, err := (&sdk.Request{Header: h, Body: []byte("payload=%7B%22a%22%3A1%7D&x=y")}).Form()
	if err != nil {
		t.Fatal(err)
	}
	if v.Get("payload") != `{"a":1}` {
		t.Errorf("payload = %q", v.Get("payload"))
	}
	_, err = (&sdk.Request{Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte("{}")}).Form()
	if statusOf(t, err) != 415 {
		t.Errorf("JSON body parsed as a form: %v", err)
	}
	_, err = (&sdk.Request{Header: h, Body: []byte("a=%zz")}).Form()
	if statusOf(t, err) != 400 {
		t.Errorf("malformed form: %v", err)
	}
}

func multipartBody(t *testing.T, files map[string]string, fields map[string]string) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for name, content := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="report_file"; filename="`+name+`"`)
		h.Set("Content-Type", "text/plain")
		w, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(content))
	}
	mw.Close()
	return &buf, mw.FormDataContentType()
}

func TestMultipart(t *testing.T) {
	t.Parallel()
	body, ct := multipartBody(t, map[string]string{`..\..\evil/../../etc/passwd.txt`: "hello"}, map[string]string{"report_name": "daily"})
	req := &sdk.Request{Header: http.Header{"Content-Type": {ct}}, Body: body.Bytes()}
	m, err := req.Multipart(sdk.MultipartOpts{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Value.Get("report_name") != "daily" {
		t.Errorf("report_name = %q", m.Value.Get("report_name"))
	}
	f := m.FirstFile("report_file")
	if f == nil {
		t.Fatal("no file")
	}
	if f.OriginalFilename != `..\..\evil/../../etc/passwd.txt` {
		t.Errorf("OriginalFilename = %q", f.OriginalFilename)
	}
	if f.Filename != "passwd.txt" || f.ContentType != "text/plain" || string(f.Data) != "hello" {
		t.Errorf("file = %q %q %q", f.Filename, f.ContentType, f.Data)
	}
	dir := t.TempDir()
	p1, err := f.Save(dir)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := f.Save(dir)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(p1) != dir || filepath.Dir(p2) != dir || p1 == p2 {
		t.Errorf("saved to %s and %s, want two files in %s", p1, p2, dir)
	}
	if b, _ := os.ReadFile(p2); string(b) != "hello" {
		t.Errorf("saved content = %q", b)
	}

	if _, err := req.Multipart(sdk.MultipartOpts{MaxFileBytes: 3}); statusOf(t, err) != 413 {
		t.Errorf("file over the limit: %v", err)
	}
	two, ct2 := multipartBody(t, map[string]string{"a.txt": "1", "b.txt": "2"}, nil)
	if _, err := (&sdk.Request{Header: http.Header{"Content-Type": {ct2}}, Body: two.Bytes()}).Multipart(sdk.MultipartOpts{MaxFiles: 1}); statusOf(t, err) != 413 {
		t.Errorf("too many files: %v", err)
	}
	if _, err := (&sdk.Request{Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte("{}")}).Multipart(sdk.MultipartOpts{}); statusOf(t, err) != 415 {
		t.Errorf("JSON as multipart: %v", err)
	}
	trunc := body.Bytes()[:body.Len()/2]
	if _, err := (&sdk.Request{Header: http.Header{"Content-Type": {ct}}, Body: trunc}).Multipart(sdk.MultipartOpts{}); statusOf(t, err) != 400 {
		t.Errorf("truncated multipart: %v", err)
	}
}

func TestSanitizeFilename(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"report.txt":                      "report.txt",
		"../../etc/passwd":                "passwd",
		`C:\Users\x\evil.txt`:             "evil.txt",
		"..":                              "upload",
		".":                               "upload",
		"":                                "upload",
		".hidden":                         "hidden",
		"a\x00b\nc.txt":                   "a_b_c.txt",
		"what?<>.txt":                     "what___.txt",
		strings.Repeat("é", 300):          strings.Repeat("é", 100),
		strings.Repeat("a", 300) + ".txt": strings.Repeat("a", 196) + ".txt",
	}
	for in, want := range tests {
		if got := sdk.SanitizeFilename(in); got != want {
			t.Errorf("SanitizeFilename(%q) = %q, want %q", in, got, want)
		}
	}
}

// sdk.JSON leaves <, > and & as they are, as the server's answers do.
func TestJSONResponseIsNotHTMLEscaped(t *testing.T) {
	t.Parallel()
	resp, err := sdk.JSON(201, map[string]string{"q": "<a&b>"})
	if err != nil || resp.Status != 201 || string(resp.Body) != `{"q":"<a&b>"}`+"\n" || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("JSON = %+v %q, %v", resp, resp.Body, err)
	}
}
