package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"text/tabwriter"
	"time"
)

type taskRow struct {
	ID          int64     `json:"id"`
	Plugin      string    `json:"plugin"`
	Kind        string    `json:"kind"`
	State       string    `json:"state"`
	Attempts    int       `json:"attempts"`
	MaxAttempts int       `json:"max_attempts"`
	RunAt       time.Time `json:"run_at"`
	Progress    string    `json:"progress"`
	LastError   string    `json:"last_error"`
	CreatedAt   time.Time `json:"created_at"`
}

// tasks lists, shows and cancels durable tasks through the admin API.
func tasks(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub, args, err := subcommand(stderr, "tasks", args, "ls", "show", "cancel")
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("tasks "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var af adminFlags
	af.register(fs)
	plugin := fs.String("plugin", "", "only tasks of this plugin")
	kind := fs.String("kind", "", "only tasks of this kind")
	state := fs.String("state", "", "only tasks in this state (pending, running, done, dead, cancelled)")
	limit := fs.Int("limit", 50, "how many at most")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	c, err := af.client()
	if err != nil {
		return err
	}
	switch sub {
	case "ls":
		q := url.Values{"limit": {fmt.Sprint(*limit)}}
		for k, v := range map[string]string{"plugin": *plugin, "kind": *kind, "state": *state} {
			if v != "" {
				q.Set(k, v)
			}
		}
		var out struct {
			Tasks []taskRow `json:"tasks"`
		}
		raw, err := c.call(ctx, "GET", "/api/admin/tasks", q, &out)
		if err != nil {
			return err
		}
		if af.asJSON {
			return printJSON(stdout, raw)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tCREATED\tPLUGIN\tKIND\tSTATE\tATTEMPTS\tRUN AT\tPROGRESS\tLAST ERROR")
		for _, t := range out.Tasks {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d/%d\t%s\t%s\t%s\n", t.ID, t.CreatedAt.Local().Format(time.DateTime), t.Plugin, t.Kind,
				t.State, t.Attempts, t.MaxAttempts, t.RunAt.Local().Format(time.DateTime), oneLine(t.Progress, 30), oneLine(t.LastError, 50))
		}
		return tw.Flush()
	case "show":
		if len(pos) != 1 {
			return fmt.Errorf("tasks show takes one task id")
		}
		raw, err := c.call(ctx, "GET", "/api/admin/tasks/"+url.PathEscape(pos[0]), nil, nil)
		if err != nil {
			return err
		}
		return printJSON(stdout, raw)
	default: // cancel
		if len(pos) != 1 {
			return fmt.Errorf("tasks cancel takes one task id")
		}
		if _, err := c.call(ctx, "POST", "/api/admin/tasks/"+url.PathEscape(pos[0])+"/cancel", nil, nil); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "task %s cancelled\n", pos[0])
		return nil
	}
}
