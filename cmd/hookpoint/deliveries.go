package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
)

// deliveries lists, shows and replays deliveries through the admin API.
func deliveries(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub, args, err := subcommand(stderr, "deliveries", args, "ls", "show", "replay")
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("deliveries "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var af adminFlags
	af.register(fs)
	q := url.Values{}
	filters := map[string]*string{}
	for _, name := range []string{"plugin", "endpoint", "state", "delivery-id"} {
		filters[name] = fs.String(name, "", "only deliveries with this "+strings.ReplaceAll(name, "-", " "))
	}
	filters["since"] = fs.String("since", "", "only deliveries received since this time: a duration ago (1h, 30m, 2h45m) or an RFC 3339 time")
	filters["until"] = fs.String("until", "", "only deliveries received before this time: a duration ago (1h, 30m, 2h45m) or an RFC 3339 time")
	limit := fs.Int("limit", 50, "how many at most")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	now := time.Now()
	for name, v := range filters {
		if *v == "" {
			continue
		}
		val := *v
		if name == "since" || name == "until" {
			if val, err = sinceUntil(name, val, now); err != nil {
				return err
			}
		}
		q.Set(strings.ReplaceAll(name, "-", "_"), val)
	}
	limitSet := false
	fs.Visit(func(f *flag.Flag) { limitSet = limitSet || f.Name == "limit" })
	if sub != "replay" || limitSet {
		q.Set("limit", fmt.Sprint(*limit))
	}
	c, err := af.client()
	if err != nil {
		return err
	}
	switch sub {
	case "ls":
		var out struct {
			Deliveries []deliveryRow `json:"deliveries"`
		}
		raw, err := c.call(ctx, "GET", "/api/admin/deliveries", q, &out)
		if err != nil {
			return err
		}
		if af.asJSON {
			return printJSON(stdout, raw)
		}
		return printDeliveries(stdout, out.Deliveries)
	case "show":
		if len(pos) != 1 {
			return fmt.Errorf("deliveries show takes one delivery id")
		}
		var d deliveryDetail
		raw, err := c.call(ctx, "GET", "/api/admin/deliveries/"+url.PathEscape(pos[0]), nil, &d)
		if err != nil {
			return err
		}
		if af.asJSON {
			return printJSON(stdout, raw)
		}
		return printDelivery(stdout, &d)
	default: // replay
		switch {
		case len(pos) == 1:
			var out struct {
				Replays []int64 `json:"replays"`
			}
			raw, err := c.call(ctx, "POST", "/api/admin/deliveries/"+url.PathEscape(pos[0])+"/replay", nil, &out)
			if err != nil {
				return err
			}
			if af.asJSON {
				return printJSON(stdout, raw)
			}
			fmt.Fprintf(stdout, "queued 1 replay: %v\n", out.Replays)
			return nil
		case len(pos) == 0 && len(q) > 0 && !(len(q) == 1 && q.Has("limit")):
			return replayFiltered(ctx, c, q, !limitSet, stdout, af.asJSON)
		default:
			return fmt.Errorf("deliveries replay takes one delivery id, or filters such as --plugin and --state")
		}
	}
}

// replayFiltered replays what the filters in q select: page after page
// until all are replayed when all is set, else the one page q's limit
// asks for. It says how many it replayed of how many matched.
func replayFiltered(ctx context.Context, c *client, q url.Values, all bool, stdout io.Writer, asJSON bool) error {
	replayed := 0
	var matched int64
	for {
		var out struct {
			Status     string  `json:"status"`
			Replays    []int64 `json:"replays"`
			Matched    int64   `json:"matched"`
			NextBefore string  `json:"next_before"`
			Detail     string  `json:"detail"`
		}
		raw, err := c.call(ctx, "POST", "/api/admin/deliveries/replay", q, &out)
		if err != nil {
			if replayed > 0 {
				return fmt.Errorf("after %d replays: %w", replayed, err)
			}
			return err
		}
		if asJSON {
			if err := printJSON(stdout, raw); err != nil {
				return err
			}
		}
		if matched == 0 {
			matched = out.Matched // the first page counts them all
		}
		replayed += len(out.Replays)
		if out.Status == "partial" {
			// The server stopped part of the way: say so with the exit status.
			return fmt.Errorf("queued %d replay(s) of %d matching deliveries, then stopped: %s", replayed, matched, out.Detail)
		}
		if !all || out.NextBefore == "" {
			if !asJSON {
				fmt.Fprintf(stdout, "queued %d replay(s) of %d matching deliveries\n", replayed, matched)
				if out.Detail != "" {
					fmt.Fprintln(stdout, out.Detail)
				}
			}
			return nil
		}
		q.Set("before", out.NextBefore)
	}
}

// oneLine shortens s to one line of at most n runes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
