package main

import (
	"flag"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// options are the soak's knobs; bench/soak.sh documents them.
type options struct {
	duration      time.Duration   // of the load
	rate          float64         // deliveries per second
	clientTimeout time.Duration   // per request, as GitHub's
	outage        time.Duration   // length of the database outage; 0: none
	outageAt      time.Duration   // start of the outage; default: centred
	outageMode    string          // hang, close or none
	kills         []time.Duration // SIGKILL restarts; default: at 25 % and 75 %
	retention     time.Duration   // retention.deliveries of the server
	pruneEvery    time.Duration   // retention.prune_interval of the server
	vacuumEvery   time.Duration   // VACUUM by the soak; 0: autovacuum's job
	sampleEvery   time.Duration   // RSS, goroutines and table sizes
	warmup        time.Duration   // after a (re)start, before RSS counts
	window        time.Duration   // compared windows of RSS and table sizes
	growth        float64         // allowed growth of RSS and table sizes, fraction
	drainTimeout  time.Duration   // waiting for the queue to drain
	idleTimeout   time.Duration   // waiting for goroutines to return to idle
	database      string          // PostgreSQL; the proxy forwards to its host
	out           string          // output directory
	hookpoint     string          // the server binary
	payload       string          // a GitHub push payload
}

// shortPreset is the 60-second version that CI runs (-short): the same
// checks, scaled down. Flags given explicitly win.
var shortPreset = map[string]string{
	"duration": "60s", "rate": "50", "kill-at": "8s,41s", "outage-at": "13s",
	"retention": "10s", "prune-every": "2s", "vacuum-every": "5s", "sample-every": "1s",
	"warmup": "8s", "window": "6s", "drain-timeout": "150s", "idle-timeout": "20s",
}

func parseOptions(args []string) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("soak", flag.ContinueOnError)
	fs.DurationVar(&o.duration, "duration", 10*time.Minute, "how long to send deliveries")
	fs.Float64Var(&o.rate, "rate", 100, "deliveries per second")
	fs.DurationVar(&o.clientTimeout, "client-timeout", 10*time.Second, "per-request timeout (GitHub's is 10s)")
	fs.DurationVar(&o.outage, "outage", 20*time.Second, "length of the database outage")
	fs.DurationVar(&o.outageAt, "outage-at", 0, "start of the outage after the load starts (default: centred in the run)")
	fs.StringVar(&o.outageMode, "outage-mode", "hang", "hang: the proxy stops moving bytes and black-holes new connections; close: it closes every connection and refuses new ones; none")
	kills := fs.String("kill-at", "", "comma-separated times of the SIGKILL restarts (default: at 25% and 75% of the run; \"none\" for none)")
	fs.DurationVar(&o.retention, "retention", 2*time.Minute, "the server's retention.deliveries")
	fs.DurationVar(&o.pruneEvery, "prune-every", 5*time.Second, "the server's retention.prune_interval")
	fs.DurationVar(&o.vacuumEvery, "vacuum-every", 0, "VACUUM the tables retention governs this often (0: leave it to autovacuum, or every autovacuum_naptime if the server has autovacuum off)")
	fs.DurationVar(&o.sampleEvery, "sample-every", 5*time.Second, "how often RSS, goroutines and table sizes are sampled")
	fs.DurationVar(&o.warmup, "warmup", 30*time.Second, "after the last (re)start, time before RSS is compared")
	fs.DurationVar(&o.window, "window", time.Minute, "length of the windows compared for RSS and table sizes")
	fs.Float64Var(&o.growth, "growth", 0.10, "allowed growth of RSS and table sizes between the windows (0.10 = 10%)")
	fs.DurationVar(&o.drainTimeout, "drain-timeout", 3*time.Minute, "give up waiting for the queue to drain after this")
	fs.DurationVar(&o.idleTimeout, "idle-timeout", 30*time.Second, "give up waiting for goroutines to return to idle after this")
	fs.StringVar(&o.database, "database", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL URL; a fresh schema is made in it and dropped at the end")
	fs.StringVar(&o.out, "out", "", "output directory (report, samples, request log, server logs)")
	fs.StringVar(&o.hookpoint, "hookpoint", "hookpoint", "the hookpoint binary")
	fs.StringVar(&o.payload, "payload", "plugins/github/testdata/push.json", "GitHub push payload; its head commit message is replaced per delivery")
	short := fs.Bool("short", false, "the 60-second version CI runs: "+presetText())
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *short {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		for name, v := range shortPreset {
			if !set[name] {
				if err := fs.Set(name, v); err != nil {
					return nil, fmt.Errorf("preset -%s: %w", name, err)
				}
			}
		}
		if !set["kill-at"] {
			*kills = shortPreset["kill-at"]
		}
	}
	if o.out == "" {
		return nil, fmt.Errorf("-out is required")
	}
	var err error
	if o.kills, err = parseKills(*kills, o.duration); err != nil {
		return nil, err
	}
	if o.outageMode == "none" {
		o.outage = 0
	}
	if o.outageAt == 0 {
		o.outageAt = (o.duration - o.outage) / 2
	}
	return o, o.validate()
}

// parseKills reads -kill-at; empty means at 25 % and 75 % of the run.
func parseKills(s string, duration time.Duration) ([]time.Duration, error) {
	switch s {
	case "":
		return []time.Duration{duration / 4, duration * 3 / 4}, nil
	case "none":
		return nil, nil
	}
	var out []time.Duration
	for _, f := range strings.Split(s, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("-kill-at: %w", err)
		}
		out = append(out, d)
	}
	return out, nil
}

// gap is the least time between a kill and the outage, so that their
// effects can be told apart.
const gap = 3 * time.Second

func (o *options) validate() error {
	switch o.outageMode {
	case "hang", "close", "none":
	default:
		return fmt.Errorf("-outage-mode %q: want hang, close or none", o.outageMode)
	}
	if o.duration <= 0 || o.rate <= 0 || o.clientTimeout <= 0 || o.sampleEvery <= 0 || o.window <= 0 || o.vacuumEvery < 0 {
		return fmt.Errorf("-duration, -rate, -client-timeout, -sample-every and -window must be positive, -vacuum-every not negative")
	}
	if o.pruneEvery < time.Second {
		return fmt.Errorf("-prune-every %s: the server takes 1s or more", o.pruneEvery)
	}
	if o.outage > 0 && (o.outageAt < 0 || o.outageAt+o.outage > o.duration) {
		return fmt.Errorf("the outage (%s at %s) does not fit in the run of %s", o.outage, o.outageAt, o.duration)
	}
	last := time.Duration(0)
	for _, k := range o.kills {
		if k <= last || k >= o.duration {
			return fmt.Errorf("-kill-at: times must grow and lie inside the run of %s", o.duration)
		}
		if o.outage > 0 && k > o.outageAt-gap && k < o.outageAt+o.outage+gap {
			return fmt.Errorf("-kill-at %s: within %s of the outage (%s at %s)", k, gap, o.outage, o.outageAt)
		}
		last = k
	}
	return nil
}

func presetText() string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(shortPreset)) {
		fmt.Fprintf(&b, " -%s %s", k, shortPreset[k])
	}
	return strings.TrimSpace(b.String())
}
