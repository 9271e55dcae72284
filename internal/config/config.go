// Package config loads Hookpoint's server config: a YAML file with
// ${env:NAME} and ${file:PATH} substitution, flags and environment
// variables on top, and defaults for everything, so that no file is needed.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/hookpoint/hookpoint/internal/ratelimit"
	"github.com/hookpoint/hookpoint/sdk"
)

// DefaultFile is read from the working directory when no config file is
// named.
const DefaultFile = "hookpoint.yaml"

// DefaultListen is the address the server listens on when none is set.
const DefaultListen = ":8080"

// Config is the server config. The zero value of every field takes its
// default.
type Config struct {
	// BaseURL is the public URL of the server, used to print full webhook
	// URLs. Defaults to http://localhost:<port of Listen>.
	BaseURL string `yaml:"base_url"`
	// Listen is the address to listen on. Defaults to ":8080".
	Listen string `yaml:"listen"`
	// DataDir holds the database and the plugins' data. Defaults to
	// "./data".
	DataDir string `yaml:"data_dir"`
	// Admin configures the admin API.
	Admin Admin `yaml:"admin"`
	// Limits holds request limits.
	Limits Limits `yaml:"limits"`
	// Log configures logging.
	Log Log `yaml:"log"`
	// Server holds HTTP server settings.
	Server Server `yaml:"server"`
	// Database says where state is kept.
	Database Database `yaml:"database"`
	// Queue tunes the workers that run queued handlers and tasks.
	Queue Queue `yaml:"queue"`
	// Retention says how long deliveries, tasks and inbox messages are kept.
	Retention Retention `yaml:"retention"`
	// Plugins configures plugins by key "author.module".
	Plugins map[string]Plugin `yaml:"plugins"`
}

// Admin configures the admin API.
type Admin struct {
	// Token is the bearer token the admin API requires. Without one, the
	// admin API is served to loopback clients only.
	Token sdk.Secret `yaml:"token"`
}

// Limits holds request limits.
type Limits struct {
	// MaxBodyBytes is the default request body limit of every endpoint
	// that sets none. Defaults to 1 MiB.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
}

// Log configures logging.
type Log struct {
	// Level is debug, info, warn or error. Defaults to info.
	Level string `yaml:"level"`
	// Format is text or json. Defaults to text.
	Format string `yaml:"format"`
}

// Server holds HTTP server settings.
type Server struct {
	// TrustedProxies lists the addresses or CIDRs of reverse proxies whose
	// X-Forwarded-For and Forwarded headers are believed. Defaults to none:
	// the client address is the TCP peer's.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// ReadHeaderTimeout defaults to 10s.
	ReadHeaderTimeout time.Duration `yaml:"read_header_timeout"`
	// ReadTimeout defaults to 60s.
	ReadTimeout time.Duration `yaml:"read_timeout"`
	// WriteTimeout defaults to 60s.
	WriteTimeout time.Duration `yaml:"write_timeout"`
	// IdleTimeout defaults to 120s.
	IdleTimeout time.Duration `yaml:"idle_timeout"`
	// ShutdownTimeout bounds graceful shutdown. Defaults to 30s.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
}

// Database says where state is kept.
type Database struct {
	// URL is a postgres:// or postgresql:// URL, a PostgreSQL key=value
	// connection string, sqlite:PATH or a SQLite file path (see
	// store.ParseLocation). Defaults to hookpoint.db in the data
	// directory, which is created when missing; an explicit SQLite
	// file's directory must exist.
	URL string `yaml:"url"`
	// SQLiteSync is "normal" (the default) or "full": with full, every
	// SQLite commit waits until it is on disk, so that acknowledged
	// deliveries survive a power loss too (see store.FullSync).
	SQLiteSync string `yaml:"sqlite_sync"`
	// WriteTimeout bounds each write: a database that does not answer
	// within it is taken as unavailable, and webhook requests are
	// answered 503 at once until it answers again. Defaults to 5s.
	WriteTimeout time.Duration `yaml:"write_timeout"`
}

// Queue tunes the workers of queued handlers and tasks.
type Queue struct {
	// Workers is how many handlers run at once per queue. Defaults to 32.
	Workers int `yaml:"workers"`
	// HandlerTimeout bounds one run of a handler or task. Defaults to 60s.
	HandlerTimeout time.Duration `yaml:"handler_timeout"`
	// Lease is how long a run holds its row before another worker or
	// replica may take it over after a crash. Defaults to
	// handler_timeout + 30s.
	Lease time.Duration `yaml:"lease"`
	// PollInterval is how often the queue is checked for work due that no
	// local notification announced. Defaults to 250ms.
	PollInterval time.Duration `yaml:"poll_interval"`
	// BusyGrace is how long a queue's runs wait while webhook requests
	// are in flight and the process uses 90% or more of its processors:
	// answering comes first, and a burst is answered at full speed.
	// Defaults to 10s.
	BusyGrace time.Duration `yaml:"busy_grace"`
	// BusyShare is how many runs a queue starts, once such a load has
	// lasted BusyGrace, for each delivery or task that arrives: the
	// backlog keeps this share for as long as the load lasts, and is
	// worked off at full speed when it eases. Defaults to 0.25.
	BusyShare float64 `yaml:"busy_share"`
}

// Retention says how long finished work is kept.
type Retention struct {
	// Deliveries is how long handled deliveries are kept; a delivery id
	// is deduplicated for as long. Defaults to 168h (7 days).
	Deliveries time.Duration `yaml:"deliveries"`
	// Failed is how long failed and dead-lettered deliveries are kept.
	// Defaults to 720h (30 days).
	Failed time.Duration `yaml:"failed"`
	// Tasks is how long finished tasks are kept. Defaults to 168h.
	Tasks time.Duration `yaml:"tasks"`
	// Messages is how long inbox messages are kept. Defaults to 720h.
	Messages time.Duration `yaml:"messages"`
	// PruneInterval is how often deliveries, tasks and messages past
	// their retention are deleted. Defaults to 1h.
	PruneInterval time.Duration `yaml:"prune_interval"`
}

// Plugin is one plugin's section.
type Plugin struct {
	// Enabled turns the plugin on or off. When the plugin has a section
	// but no enabled key, it is enabled.
	Enabled *bool `yaml:"enabled"`
	// Config is decoded into the plugin's typed config.
	Config map[string]any `yaml:"config"`
	// Webhooks overrides settings of the plugin's endpoints, by endpoint.
	Webhooks map[string]Webhook `yaml:"webhooks"`
}

// Webhook overrides settings of one endpoint.
type Webhook struct {
	// MaxBodyBytes overrides the endpoint's body limit.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// RateLimit limits the endpoint's request rate. Off by default.
	RateLimit ratelimit.Config `yaml:"rate_limit"`
	// DeliveryIDHeader names the header that carries the sender's
	// delivery id, overriding the endpoint's own setting.
	DeliveryIDHeader string `yaml:"delivery_id_header"`
	// Retry overrides the retry policy of a queued endpoint.
	Retry Retry `yaml:"retry"`
}

// Retry overrides a retry policy; zero fields keep the endpoint's own.
type Retry struct {
	MaxAttempts int           `yaml:"max_attempts"`
	MinBackoff  time.Duration `yaml:"min_backoff"`
	MaxBackoff  time.Duration `yaml:"max_backoff"`
}

// Default returns the embedded default config.
func Default() *Config {
	c := &Config{}
	c.setDefaults()
	return c
}

func (c *Config) setDefaults() {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.DataDir == "" {
		c.DataDir = "./data"
	}
	if c.Limits.MaxBodyBytes == 0 {
		c.Limits.MaxBodyBytes = sdk.DefaultMaxBodyBytes
	}
	if c.Log.Level == "" {
		c.Log.Level = "info"
	}
	if c.Log.Format == "" {
		c.Log.Format = "text"
	}
	s := &c.Server
	for _, d := range []struct {
		p *time.Duration
		v time.Duration
	}{
		{&s.ReadHeaderTimeout, 10 * time.Second},
		{&s.ReadTimeout, 60 * time.Second},
		{&s.WriteTimeout, 60 * time.Second},
		{&s.IdleTimeout, 120 * time.Second},
		{&s.ShutdownTimeout, 30 * time.Second},
		{&c.Queue.HandlerTimeout, 60 * time.Second},
		{&c.Queue.PollInterval, 250 * time.Millisecond},
		{&c.Database.WriteTimeout, 5 * time.Second},
		{&c.Retention.Deliveries, 7 * 24 * time.Hour},
		{&c.Retention.Failed, 30 * 24 * time.Hour},
		{&c.Retention.Tasks, 7 * 24 * time.Hour},
		{&c.Retention.Messages, 30 * 24 * time.Hour},
		{&c.Retention.PruneInterval, time.Hour},
	} {
		if *d.p == 0 {
			*d.p = d.v
		}
	}
	if c.Queue.Workers <= 0 {
		c.Queue.Workers = 32
	}
	if c.Queue.Lease <= c.Queue.HandlerTimeout {
		c.Queue.Lease = c.Queue.HandlerTimeout + 30*time.Second
	}
	if c.Database.SQLiteSync == "" {
		c.Database.SQLiteSync = "normal"
	}
	if c.Database.URL == "" {
		c.Database.URL = filepath.Join(c.DataDir, "hookpoint.db")
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://localhost" + portOf(c.Listen)
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
}

func portOf(listen string) string {
	_, port, err := net.SplitHostPort(listen)
	if err != nil || port == "" || port == "80" {
		return ""
	}
	return ":" + port
}

// Overrides are settings from flags or environment variables; non-empty
// fields replace the file's values.
type Overrides struct {
	Listen   string
	DataDir  string
	Database string
}

// Load reads the config file at path (none when path is ""), applies the
// overrides and the defaults, and validates the result.
func Load(path string, o Overrides) (*Config, error) {
	c := &Config{}
	if path != "" {
		raw, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("reading config: %w", err)
		}
		if c, err = Parse(raw); err != nil {
			return nil, fmt.Errorf("config %s: %w", path, err)
		}
	}
	if o.Listen != "" {
		c.Listen = o.Listen
	}
	if o.DataDir != "" {
		c.DataDir = o.DataDir
	}
	dbKey := "database.url"
	if o.Database != "" {
		c.Database.URL = o.Database
		dbKey = "--database"
	}
	explicitDB := c.Database.URL != ""
	c.setDefaults()
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if err := c.Database.check(explicitDB); err != nil {
		return nil, fmt.Errorf("config: %s: %w", dbKey, err)
	}
	return c, nil
}

// Parse decodes a YAML config, substituting ${env:NAME} and ${file:PATH}
// in string values. Unknown keys are errors. Defaults are not applied.
func Parse(raw []byte) (*Config, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("parsing YAML: %w", err)
	}
	c := &Config{}
	if doc.Kind == 0 {
		return c, nil // empty file
	}
	if err := substituteNode(&doc); err != nil {
		return nil, err
	}
	expanded, err := yaml.Marshal(&doc)
	if err != nil {
		return nil, fmt.Errorf("re-encoding config: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(expanded))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil {
		return nil, fmt.Errorf("decoding: %w", err)
	}
	return c, nil
}

func substituteNode(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" || n.Kind == yaml.ScalarNode && n.Tag == "" {
		v, changed, err := Substitute(n.Value)
		if err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err)
		}
		if changed {
			n.Value = v
			n.Tag = "!!str"
			n.Style = yaml.DoubleQuotedStyle
		}
		return nil
	}
	for _, c := range n.Content {
		if err := substituteNode(c); err != nil {
			return err
		}
	}
	return nil
}

// Substitute replaces ${env:NAME}, ${env:NAME:-default} and ${file:PATH}
// in s. An unset variable without a default, or an unreadable file, is an
// error. A file's trailing newlines are dropped.
func Substitute(s string) (string, bool, error) {
	if !strings.Contains(s, "${") {
		return s, false, nil
	}
	var b strings.Builder
	rest := s
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:i])
		end := strings.IndexByte(rest[i:], '}')
		if end < 0 {
			return "", false, fmt.Errorf("unterminated ${ in %q", s)
		}
		expr := rest[i+2 : i+end]
		rest = rest[i+end+1:]
		v, err := resolve(expr)
		if err != nil {
			return "", false, err
		}
		b.WriteString(v)
	}
	return b.String(), true, nil
}

func resolve(expr string) (string, error) {
	kind, arg, ok := strings.Cut(expr, ":")
	switch {
	case ok && kind == "env":
		name, def, hasDef := strings.Cut(arg, ":-")
		if v, set := os.LookupEnv(name); set {
			return v, nil
		}
		if hasDef {
			return def, nil
		}
		return "", fmt.Errorf("${env:%s}: environment variable %s is not set", name, name)
	case ok && kind == "file":
		b, err := os.ReadFile(arg)
		if err != nil {
			return "", fmt.Errorf("${file:%s}: %w", arg, errors.Unwrap(err))
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	default:
		return "", fmt.Errorf("unknown substitution ${%s}: want ${env:NAME} or ${file:PATH}", expr)
	}
}

func (c *Config) validate() error {
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fmt.Errorf("listen %q: %w", c.Listen, err)
	}
	if !strings.HasPrefix(c.BaseURL, "http://") && !strings.HasPrefix(c.BaseURL, "https://") {
		return fmt.Errorf("base_url %q: must start with http:// or https://", c.BaseURL)
	}
	if c.Retention.PruneInterval < time.Second {
		return fmt.Errorf("retention.prune_interval %s: must be 1s or more", c.Retention.PruneInterval)
	}
	if c.Limits.MaxBodyBytes < 0 {
		return fmt.Errorf("limits.max_body_bytes must be positive")
	}
	if c.Queue.BusyShare < 0 || c.Queue.BusyShare > 1 {
		return fmt.Errorf("queue.busy_share %g: want a share between 0 and 1", c.Queue.BusyShare)
	}
	switch c.Database.SQLiteSync {
	case "normal", "full":
	default:
		return fmt.Errorf("database.sqlite_sync %q: want normal or full", c.Database.SQLiteSync)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		return fmt.Errorf("log.format %q: want text or json", c.Log.Format)
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log.level %q: want debug, info, warn or error", c.Log.Level)
	}
	if _, err := ParsePrefixes(c.Server.TrustedProxies); err != nil {
		return fmt.Errorf("server.trusted_proxies: %w", err)
	}
	for key, p := range c.Plugins {
		if _, _, err := sdk.ParseID(key); err != nil {
			return fmt.Errorf("plugins: %w", err)
		}
		for ep, w := range p.Webhooks {
			rl := w.RateLimit
			if rl.Rate < 0 || rl.PerClientRate < 0 || rl.Burst < 0 || rl.PerClientBurst < 0 {
				return fmt.Errorf("plugins.%s.webhooks.%s.rate_limit: values must not be negative", key, ep)
			}
		}
	}
	return nil
}

// ParsePrefixes parses addresses and CIDRs; a bare address is a /32 or
// /128 prefix.
func ParsePrefixes(list []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(list))
	for _, s := range list {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an address nor a CIDR", s)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// PluginEnabled reports whether plugin id is enabled, given its default.
func (c *Config) PluginEnabled(id string, byDefault bool) bool {
	p, ok := c.Plugins[id]
	if !ok {
		return byDefault
	}
	if p.Enabled == nil {
		return true
	}
	return *p.Enabled
}
