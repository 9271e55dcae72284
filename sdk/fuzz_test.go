package sdk_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hookpoint/hookpoint/sdk"
)

func FuzzSanitizeFilename(f *testing.F) {
	for _, s := range []string{"report.txt", "../../etc/passwd", `C:\x\y.txt`, "..", "\x00", "a\xffb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := sdk.SanitizeFilename(name)
		if got == "" || got == "." || got == ".." || strings.ContainsAny(got, "/\\\x00") || len(got) > 200 || !utf8.ValidString(got) {
			t.Fatalf("SanitizeFilename(%q) = %q", name, got)
		}
	})
}

func FuzzMultipart(f *testing.F) {
	f.Add("zz", []byte("--zz\r\nContent-Disposition: form-data; name=\"a\"; filename=\"x.txt\"\r\nContent-Type: text/plain\r\n\r\nhi\r\n--zz--\r\n"))
	f.Add("zz", []byte("--zz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx"))
	f.Add("", []byte(""))
	f.Fuzz(func(t *testing.T, boundary string, body []byte) {
		req := &sdk.Request{Header: http.Header{"Content-Type": {"multipart/form-data; boundary=" + boundary}}, Body: body}
		m, err := req.Multipart(sdk.MultipartOpts{MaxFiles: 4, MaxFileBytes: 64})
		if err != nil {
			var he *sdk.HTTPError
			if !errors.As(err, &he) || he.Status < 400 || he.Status > 499 {
				t.Fatalf("error %v is not a 4xx HTTPError", err)
			}
			return
		}
		for _, files := range m.File {
			for _, f := range files {
				if f.Size() > 64 || f.Filename != sdk.SanitizeFilename(f.Filename) {
					t.Fatalf("file %+v escaped the limits or sanitising", f.Filename)
				}
			}
		}
	})
}
