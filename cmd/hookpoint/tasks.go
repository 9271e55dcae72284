package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
)

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
		return printTasks(stdout, out.Tasks)
	case "show":
		if len(pos) != 1 {
			return fmt.Errorf("tasks show takes one task id")
		}
		var t taskRow
		raw, err := c.call(ctx, "GET", "/api/admin/tasks/"+url.PathEscape(pos[0]), nil, &t)
		if err != nil {
			return err
		}
		if af.asJSON {
			return printJSON(stdout, raw)
		}
		return printTask(stdout, &t)
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
