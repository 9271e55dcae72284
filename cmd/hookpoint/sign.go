package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hookpoint/hookpoint/verify"
)

// envSignSecret names the environment variable sign and send read the secret
// from when neither --secret nor --secret-file is given.
const envSignSecret = "HOOKPOINT_SIGN_SECRET"

const signUsage = `Usage: hookpoint sign --scheme S [--secret-file F | --secret S] [flags] FILE|-

Signs FILE (or standard input for "-") as a real sender of scheme S would and
prints the headers it would send, one "Name: value" line each, sorted.

The secret comes from --secret-file F, else --secret S, else $` + envSignSecret + `.
Prefer the file or the environment: a --secret on the command line is
visible to other users of the machine (ps, /proc/PID/cmdline).
For gitlab, token, bearer and basic the secret itself is sent in a header,
so the output contains it.

Schemes: %s

Flags:
`

// eventHeaders are the headers that carry the event name (--event), per
// scheme. Gitea sends its own header plus Gogs and GitHub copies.
var eventHeaders = map[string][]string{
	"github":      {"X-GitHub-Event"},
	"github-sha1": {"X-GitHub-Event"},
	"gitlab":      {"X-Gitlab-Event"},
	"gitea":       {"X-Gitea-Event", "X-Gogs-Event", "X-GitHub-Event"},
	"gogs":        {"X-Gogs-Event"},
	"bitbucket":   {"X-Event-Key"},
}

// deliveryHeaders are the headers that carry a per-delivery id (a random
// UUID, or --id), per scheme.
var deliveryHeaders = map[string][]string{
	"github":      {"X-GitHub-Delivery"},
	"github-sha1": {"X-GitHub-Delivery"},
	"gitlab":      {"X-Gitlab-Event-UUID"},
	"gitea":       {"X-Gitea-Delivery", "X-Gogs-Delivery", "X-GitHub-Delivery"},
	"gogs":        {"X-Gogs-Delivery"},
}

// signOpts are the flags sign and send share.
type signOpts struct {
	scheme, secret, secretFile  string
	event, id, timestamp        string
	algorithm, encoding, prefix string
	tsHeader, template, user    string
	contentType                 string
	headers                     headerFlag
	fs                          *flag.FlagSet
}

// headerFlag collects repeated --header values.
type headerFlag []string

func (h *headerFlag) String() string     { return strings.Join(*h, ", ") }
func (h *headerFlag) Set(v string) error { *h = append(*h, v); return nil }

func (o *signOpts) register(fs *flag.FlagSet) {
	o.fs = fs
	fs.StringVar(&o.scheme, "scheme", "", "signature scheme (required): "+strings.Join(verify.Schemes(), ", "))
	fs.StringVar(&o.secret, "secret", "", "the secret; visible to other users in ps, prefer --secret-file or $"+envSignSecret)
	fs.StringVar(&o.secretFile, "secret-file", "", "file holding the secret (one trailing newline is dropped)")
	fs.StringVar(&o.event, "event", "", "event name, sent in the provider's event header (github, github-sha1, gitlab, gitea, gogs, bitbucket)")
	fs.StringVar(&o.id, "id", "", "message id (standard-webhooks, svix) or delivery id (github, gitea, gogs, gitlab); default random")
	fs.StringVar(&o.timestamp, "timestamp", "", "signing time as unix seconds (default now)")
	fs.Var(&o.headers, "header", "`NAME` of the signature header (hmac) or of the token header (token), or\n'Name: Value', an extra header to send (repeatable; hmac templates can sign it)")
	fs.StringVar(&o.algorithm, "algorithm", "", "hmac: sha1, sha256 (default) or sha512")
	fs.StringVar(&o.encoding, "encoding", "", "hmac: hex (default), base64 or base64url")
	fs.StringVar(&o.prefix, "prefix", "", "hmac: text before the encoded signature, e.g. sha256=")
	fs.StringVar(&o.tsHeader, "timestamp-header", "", "hmac: header carrying the unix timestamp")
	fs.StringVar(&o.template, "template", "", "hmac: signed content with {body}, {timestamp}, {header:Name} (default {body}, or {timestamp}.{body} with --timestamp-header)")
	fs.StringVar(&o.user, "user", "", "basic: user name (default hookpoint)")
	fs.StringVar(&o.contentType, "content-type", "application/json", "Content-Type of the body")
}

// sign prints the headers a sender would attach to FILE.
func sign(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sign", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, signUsage, strings.Join(verify.Schemes(), ", "))
		fs.PrintDefaults()
	}
	var o signOpts
	o.register(fs)
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	body, err := readBody(files, stdin)
	if err != nil {
		return err
	}
	h, err := o.sign(body)
	if err != nil {
		return err
	}
	return writeHeaders(stdout, h)
}

// sign returns every header to send with body: signature, event, delivery
// id, content type and the extra --header ones.
func (o *signOpts) sign(body []byte) (http.Header, error) {
	set := map[string]bool{}
	o.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	schemes := verify.Schemes()
	switch {
	case o.scheme == "":
		return nil, fmt.Errorf("--scheme is required; schemes: %s", strings.Join(schemes, ", "))
	case !slices.Contains(schemes, o.scheme):
		return nil, fmt.Errorf("unknown scheme %q; schemes: %s", o.scheme, strings.Join(schemes, ", "))
	}
	secret, err := o.readSecret(set["secret"])
	if err != nil {
		return nil, err
	}

	var name string
	extra := http.Header{}
	for _, v := range o.headers {
		k, val, ok := strings.Cut(v, ":")
		k = strings.TrimSpace(k)
		if !validToken(k) {
			return nil, fmt.Errorf("--header %q: want NAME or 'NAME: VALUE'", v)
		}
		if !ok {
			if name != "" {
				return nil, fmt.Errorf("--header NAME given twice (%s, %s)", name, k)
			}
			name = k
			continue
		}
		val = strings.TrimSpace(val)
		if strings.ContainsAny(val, "\r\n\x00") {
			return nil, fmt.Errorf("--header %s: value contains a line break", k)
		}
		extra.Add(k, val)
	}
	if o.contentType != "" && extra.Get("Content-Type") == "" {
		extra.Set("Content-Type", o.contentType)
	}

	// Reject flags the scheme would silently ignore.
	only := func(flagName string, ok bool, schemes string) error {
		if set[flagName] && !ok {
			return fmt.Errorf("--%s does not apply to scheme %s (only %s)", flagName, o.scheme, schemes)
		}
		return nil
	}
	isHMAC := o.scheme == "hmac"
	_, hasEvent := eventHeaders[o.scheme]
	_, hasDelivery := deliveryHeaders[o.scheme]
	msgID := o.scheme == "standard-webhooks" || o.scheme == "svix"
	for _, err := range []error{
		only("algorithm", isHMAC, "hmac"),
		only("encoding", isHMAC, "hmac"),
		only("prefix", isHMAC, "hmac"),
		only("timestamp-header", isHMAC, "hmac"),
		only("template", isHMAC, "hmac"),
		only("user", o.scheme == "basic", "basic"),
		only("event", hasEvent, "github, github-sha1, gitlab, gitea, gogs, bitbucket; other senders put the event in the body"),
		only("id", hasDelivery || msgID, "standard-webhooks, svix, github, github-sha1, gitea, gogs, gitlab"),
	} {
		if err != nil {
			return nil, err
		}
	}
	if name != "" && !isHMAC && o.scheme != "token" {
		return nil, fmt.Errorf("--header %s: a header NAME applies to schemes hmac and token only; give extra headers as 'NAME: VALUE'", name)
	}
	if isHMAC && name == "" {
		return nil, errors.New("scheme hmac needs --header NAME, the signature header")
	}

	now := time.Now()
	if o.timestamp != "" {
		ts, err := strconv.ParseInt(o.timestamp, 10, 64)
		if err != nil || ts < 0 {
			return nil, fmt.Errorf("--timestamp %q: want unix seconds", o.timestamp)
		}
		now = time.Unix(ts, 0)
	}

	opts := verify.SignerOpts{Header: extra, User: o.user}
	switch {
	case isHMAC:
		opts.HMAC = verify.HMACOpts{
			Header: name, Algorithm: o.algorithm, Encoding: o.encoding, Prefix: o.prefix,
			TimestampHeader: o.tsHeader, Template: o.template,
		}
	case o.scheme == "token":
		opts.TokenHeader = name
	case msgID:
		opts.MessageID = o.id
	}
	signer, err := verify.NewSigner(o.scheme, secret, opts)
	if err != nil {
		return nil, err
	}

	signed := body
	if o.scheme == "gitea" && isFormType(extra.Get("Content-Type")) {
		// Gitea signs the decoded "payload" field of form deliveries.
		vals, err := url.ParseQuery(string(body))
		if err != nil || len(vals["payload"]) != 1 {
			return nil, errors.New("gitea form body must be payload=<url-encoded JSON>")
		}
		signed = []byte(vals["payload"][0])
	}
	h, err := signer.Sign(signed, now)
	if err != nil {
		return nil, err
	}
	if o.event != "" {
		if strings.ContainsAny(o.event, "\r\n\x00") {
			return nil, errors.New("--event contains a line break")
		}
		for _, k := range eventHeaders[o.scheme] {
			h.Set(k, o.event)
		}
	}
	if hasDelivery {
		id := o.id
		if id == "" {
			id = uuid4()
		} else if strings.ContainsAny(id, "\r\n\x00") {
			return nil, errors.New("--id contains a line break")
		}
		for _, k := range deliveryHeaders[o.scheme] {
			h.Set(k, id)
		}
	}
	return h, nil
}

// readSecret returns the secret from --secret-file, --secret or the
// environment, in that order; giving both flags is an error.
func (o *signOpts) readSecret(secretSet bool) (string, error) {
	switch {
	case o.secretFile != "" && secretSet:
		return "", errors.New("give either --secret or --secret-file, not both")
	case o.secretFile != "":
		b, err := os.ReadFile(o.secretFile)
		if err != nil {
			return "", fmt.Errorf("reading --secret-file: %w", err)
		}
		s := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
		if s == "" {
			return "", fmt.Errorf("--secret-file %s is empty", o.secretFile)
		}
		return s, nil
	case secretSet:
		if o.secret == "" {
			return "", errors.New("--secret is empty")
		}
		return o.secret, nil
	}
	if s := os.Getenv(envSignSecret); s != "" {
		return s, nil
	}
	return "", errors.New("no secret: use --secret-file F or $" + envSignSecret + " (or --secret S, which shows in ps)")
}

// parseInterspersed parses flags that may come before or after the
// positional arguments, which it returns. Everything after "--" is
// positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// readBody reads the single FILE argument; "-" is standard input.
func readBody(files []string, stdin io.Reader) ([]byte, error) {
	if len(files) != 1 {
		return nil, fmt.Errorf("want exactly one FILE (or - for standard input), got %d", len(files))
	}
	if files[0] == "-" {
		return io.ReadAll(stdin)
	}
	return os.ReadFile(files[0])
}

// writeHeaders prints h as sorted "Name: value" lines.
func writeHeaders(w io.Writer, h http.Header) error {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	var b strings.Builder
	for _, k := range keys {
		for _, v := range h[k] {
			fmt.Fprintf(&b, "%s: %s\n", displayName(k), v)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// displayName spells a canonical header name the way its sender does
// (X-Github-Event -> X-GitHub-Event). Header names are case-insensitive;
// this is only for looks.
func displayName(k string) string {
	if k == "X-Gitlab-Event-Uuid" {
		return "X-Gitlab-Event-UUID"
	}
	if rest, ok := strings.CutPrefix(k, "X-Github-"); ok {
		return "X-GitHub-" + rest
	}
	return k
}

func isFormType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/x-www-form-urlencoded"
}

// validToken reports whether s is a non-empty HTTP token (a header name).
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// uuid4 returns a random RFC 9562 version 4 UUID.
func uuid4() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
