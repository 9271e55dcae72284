package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hookpoint/hookpoint/verify"
)

const sendUsage = `Usage: hookpoint send --to URL --scheme S [--secret-file F | --secret S] [flags] FILE|-

Signs FILE (or standard input for "-") as a real sender of scheme S would and
POSTs it to URL, to test a webhook set-up end to end. Prints the response's
status line and body; exits non-zero unless the status is 2xx. Redirects are
not followed (webhook senders do not follow them either).

The secret comes from --secret-file F, else --secret S, else $` + envSignSecret + `.
Prefer the file or the environment: a --secret on the command line is
visible to other users of the machine (ps, /proc/PID/cmdline).

Schemes: %s

Flags:
`

// send signs FILE and POSTs it to --to.
func send(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("send", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, sendUsage, strings.Join(verify.Schemes(), ", "))
		fs.PrintDefaults()
	}
	var o signOpts
	o.register(fs)
	to := fs.String("to", "", "URL to POST to (required), e.g. http://localhost:8080/api/plugin/hookpoint.github/webhook/github")
	timeout := fs.Duration("timeout", 10*time.Second, "time limit for the whole request")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if *to == "" {
		return errors.New("--to URL is required")
	}
	u, err := url.Parse(*to)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--to %q: want an http:// or https:// URL", *to)
	}
	if *timeout <= 0 {
		return errors.New("--timeout must be positive")
	}
	body, err := readBody(files, stdin)
	if err != nil {
		return err
	}
	h, err := o.sign(body)
	if err != nil {
		return err
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return err
	}
	for k, vs := range h {
		req.Header[displayName(k)] = vs
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "hookpoint-send/"+version)
	}
	client := &http.Client{
		Timeout:       *timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	fmt.Fprintf(stdout, "%s %s\n", resp.Proto, resp.Status)
	lw := &lastByteWriter{w: stdout}
	if _, err := io.Copy(lw, resp.Body); err != nil {
		return fmt.Errorf("reading the response: %w", err)
	}
	if lw.n > 0 && lw.last != '\n' {
		fmt.Fprintln(stdout)
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s answered %s", u.Redacted(), resp.Status)
	}
	return nil
}

// lastByteWriter passes writes through and remembers the last byte written.
type lastByteWriter struct {
	w    io.Writer
	n    int64
	last byte
}

func (l *lastByteWriter) Write(p []byte) (int, error) {
	n, err := l.w.Write(p)
	if n > 0 {
		l.n += int64(n)
		l.last = p[n-1]
	}
	return n, err
}
