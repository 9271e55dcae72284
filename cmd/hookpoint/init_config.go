package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"

	"github.com/hookpoint/hookpoint/internal/config"
	"github.com/hookpoint/hookpoint/internal/plugin"
)

// initChatKey is the inbox chat the starter config sends GitHub events to.
const initChatKey = "inbox-group_github"

// starterConfig is the config `hookpoint init` writes; %s are, in order,
// base_url, listen, the admin token, the GitHub webhook secret and the
// chat key, each a quoted YAML string.
const starterConfig = `# Hookpoint config, written by "hookpoint init". Every key is optional;
# the README's Configuration section lists them all.

base_url: %s  # the URL senders reach this server at
listen: %s
data_dir: ./data              # the SQLite database and the plugins' data

admin:
  token: %s  # Authorization: Bearer <token> for /api/admin/ and the CLI

plugins:
  hookpoint.github:
    enabled: true
    config:
      # Paste this secret into the GitHub webhook form.
      GITHUB_WEBHOOK_SECRET: %s
      # Events go to Hookpoint's own inbox; read them with the admin API.
      NOTIFICATION_CHAT_KEY: %s
`

// initConfig writes a starter config with a generated admin token and
// GitHub webhook secret, and prints how to use it.
func initConfig(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("init", flag.ContinueOnError)
	fset.SetOutput(stderr)
	fset.Usage = func() {
		fmt.Fprintln(stderr, "Usage: hookpoint init [--config FILE] [--base-url URL] [--listen ADDR] [--force]\n\nWrites a starter config (mode 0600) with a generated admin token and GitHub webhook secret.\n\nFlags:")
		fset.PrintDefaults()
	}
	var cf configFlags
	cf.register(fset, false)
	baseURL := fset.String("base-url", "", "public URL that senders reach the server at (default http://localhost:<port>)")
	listen := fset.String("listen", config.DefaultListen, "address the server listens on")
	force := fset.Bool("force", false, "overwrite an existing config file")
	if err := fset.Parse(args); err != nil {
		return err
	}
	if fset.NArg() > 0 {
		return fmt.Errorf("init takes no arguments, got %q", fset.Args())
	}
	path := cf.path
	if path == "" {
		path = config.DefaultFile
	}
	if _, err := os.Lstat(path); err == nil && !*force {
		return fmt.Errorf("%s exists; use --force to overwrite it", path)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	token, err := newSecret()
	if err != nil {
		return err
	}
	secret, err := newSecret()
	if err != nil {
		return err
	}
	base := *baseURL
	if base == "" { // the default the server would take, written out to be edited
		d, err := config.Load("", config.Overrides{Listen: *listen})
		if err != nil {
			return fmt.Errorf("--listen: %w", err)
		}
		base = d.BaseURL
	}
	raw := fmt.Sprintf(starterConfig, strconv.Quote(base), strconv.Quote(*listen), strconv.Quote(token), strconv.Quote(secret), strconv.Quote(initChatKey))
	cfg, err := writeConfig(path, []byte(raw))
	if err != nil {
		return err
	}
	return printInitGuide(ctx, stdout, path, cf.path != "", cfg, secret)
}

// newSecret returns 32 random bytes, URL-safe base64 encoded.
func newSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating a secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// writeConfig checks raw as serve would load it, then writes it to path
// with mode 0600 (it holds secrets). It is written to a temporary file
// beside path and renamed, so a failed check leaves path as it was.
func writeConfig(path string, raw []byte) (*config.Config, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".hookpoint-init-*.yaml") // mode 0600
	if err != nil {
		return nil, fmt.Errorf("writing config: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(raw); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("writing config: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("writing config: %w", err)
	}
	cfg, err := config.Load(tmp.Name(), config.Overrides{})
	if err != nil {
		return nil, fmt.Errorf("the flags make an invalid config: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, fmt.Errorf("writing config: %w", err)
	}
	return cfg, nil
}

// printInitGuide prints the webhook URLs of the new config, what to paste
// into GitHub, and how to start the server and look at what arrives.
func printInitGuide(ctx context.Context, w io.Writer, path string, named bool, cfg *config.Config, secret string) error {
	set, err := plugin.Load(ctx, plugin.LoadOpts{Config: cfg, Logger: slog.New(slog.DiscardHandler), ListOnly: true})
	if err != nil {
		return fmt.Errorf("loading the new config's plugins: %w", err)
	}
	flagPart := ""
	if named {
		flagPart = " --config " + path
	}
	fmt.Fprintf(w, "Wrote %s (mode 0600) with a new admin token and GitHub webhook secret.\n\nWebhook URLs:\n", path)
	var github string
	for _, inst := range set.All() {
		for _, ep := range inst.Endpoints() {
			fmt.Fprintf(w, "  %s  (%s, %s)\n", ep.URL, inst.ID(), ep.Name)
			if inst.ID() == "hookpoint.github" {
				github = ep.URL
			}
		}
	}
	if github != "" {
		fmt.Fprintf(w, `
In GitHub, add a webhook (repository or organization Settings > Webhooks > Add webhook):
  Payload URL:   %s
  Content type:  application/json
  Secret:        %s
  Events:        pushes and issues are sent to the inbox; others are acknowledged
`, github, secret)
		if u, err := url.Parse(github); err == nil && (u.Hostname() == "localhost" || net.ParseIP(u.Hostname()).IsLoopback()) {
			fmt.Fprintln(w, "  GitHub cannot reach localhost: give the public URL with --base-url (or edit base_url).")
		}
	}
	admin, err := loopbackURL(cfg.Listen)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, `
Start the server:
  hookpoint serve%[1]s

Look at what arrives (from this directory, the CLI reads the admin token from %[2]s):
  hookpoint deliveries ls%[1]s
  hookpoint deliveries show ID%[1]s
  curl -H "Authorization: Bearer $ADMIN_TOKEN" %[3]s/api/admin/chats/%[4]s/messages
    (ADMIN_TOKEN is admin.token in %[2]s)
`, flagPart, path, admin, initChatKey)
	return nil
}
