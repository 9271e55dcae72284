package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/hookpoint/hookpoint/internal/config"
)

// adminFlags locate the admin API of a running server.
type adminFlags struct {
	cf        configFlags
	server    string
	tokenFile string
	asJSON    bool
}

func (a *adminFlags) register(fs *flag.FlagSet) {
	a.cf.register(fs, false)
	fs.StringVar(&a.server, "server", os.Getenv("HOOKPOINT_SERVER"), "URL of the running server (default: the config's listen address on loopback) [$HOOKPOINT_SERVER]")
	fs.StringVar(&a.tokenFile, "token-file", "", "file holding the admin token (default: $HOOKPOINT_ADMIN_TOKEN, else the config's admin.token)")
	fs.BoolVar(&a.asJSON, "json", false, "print the API's JSON")
}

// client is an admin API client.
type client struct {
	base  string
	token string
	http  *http.Client
}

// client locates the admin API: --server, else the config's listen
// address on loopback; the token from --token-file, else
// $HOOKPOINT_ADMIN_TOKEN, else the config's admin.token. Only those two
// keys are read from the config, leniently (config.LoadAdminAccess): a
// substitution elsewhere that only the server can resolve is no error.
func (a *adminFlags) client() (*client, error) {
	path, err := a.cf.file()
	if err != nil {
		return nil, err
	}
	access, err := config.LoadAdminAccess(path)
	if err != nil {
		return nil, err
	}
	base := a.server
	if base == "" {
		if access.ListenErr != nil {
			return nil, fmt.Errorf("%w; give the server's URL with --server or $HOOKPOINT_SERVER", access.ListenErr)
		}
		if base, err = loopbackURL(access.Listen); err != nil {
			return nil, err
		}
	}
	token := os.Getenv("HOOKPOINT_ADMIN_TOKEN")
	if a.tokenFile != "" {
		b, err := os.ReadFile(a.tokenFile)
		if err != nil {
			return nil, fmt.Errorf("reading the token file: %w", err)
		}
		token = strings.TrimSpace(string(b))
	}
	if token == "" {
		if access.TokenErr != nil {
			return nil, fmt.Errorf("no admin token: %w; give it with --token-file or $HOOKPOINT_ADMIN_TOKEN", access.TokenErr)
		}
		token = access.Token.Reveal()
	}
	return &client{base: strings.TrimRight(base, "/"), token: token, http: &http.Client{Timeout: 60 * time.Second}}, nil
}

// loopbackURL returns the URL that reaches a server listening on listen
// from this machine: a wildcard address becomes 127.0.0.1.
func loopbackURL(listen string) (string, error) {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "", fmt.Errorf("listen %q: %w", listen, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port), nil
}

// call sends a request to the admin API and decodes the JSON answer into
// out (when not nil); it returns the raw answer too.
func (c *client) call(ctx context.Context, method, path string, q url.Values, out any) ([]byte, error) {
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return nil, err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("reaching the server: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Detail string `json:"detail"`
		}
		if json.Unmarshal(raw, &e) == nil && e.Detail != "" {
			return raw, fmt.Errorf("server answered %d: %s", resp.StatusCode, e.Detail)
		}
		return raw, fmt.Errorf("server answered %s", resp.Status)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return raw, fmt.Errorf("decoding the answer: %w", err)
		}
	}
	return raw, nil
}

// subcommand splits "NAME args..." and checks NAME is one of names. Asked
// for help (-h, --help) instead of a name, it prints the subcommands to w
// and returns flag.ErrHelp.
func subcommand(w io.Writer, cmd string, args []string, names ...string) (string, []string, error) {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprintf(w, "Usage: hookpoint %s %s [flags]\n\nRun \"hookpoint %s SUBCOMMAND --help\" for a subcommand's flags.\n",
			cmd, strings.Join(names, "|"), cmd)
		return "", nil, flag.ErrHelp
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return "", nil, fmt.Errorf("want a subcommand: %s", strings.Join(names, ", "))
	}
	for _, n := range names {
		if args[0] == n {
			return n, args[1:], nil
		}
	}
	return "", nil, fmt.Errorf("unknown subcommand %q; want %s", args[0], strings.Join(names, ", "))
}

// parseInterleaved parses flags that may come before or after positional
// arguments, and returns the positional ones.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
