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
	q.Set("limit", fmt.Sprint(*limit))
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
		var out struct {
			Replays []int64 `json:"replays"`
		}
		var raw []byte
		switch {
		case len(pos) == 1:
			raw, err = c.call(ctx, "POST", "/api/admin/deliveries/"+url.PathEscape(pos[0])+"/replay", nil, &out)
		case len(pos) == 0 && len(q) > 1:
			raw, err = c.call(ctx, "POST", "/api/admin/deliveries/replay", q, &out)
		default:
			return fmt.Errorf("deliveries replay takes one delivery id, or filters such as --plugin and --state")
		}
		if err != nil {
			return err
		}
		if af.asJSON {
			return printJSON(stdout, raw)
		}
		fmt.Fprintf(stdout, "queued %d replay(s): %v\n", len(out.Replays), out.Replays)
		return nil
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
