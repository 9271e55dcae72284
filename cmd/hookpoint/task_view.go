package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// taskRow is a task as the admin API shows it.
type taskRow struct {
	ID          int64      `json:"id"`
	Plugin      string     `json:"plugin"`
	Kind        string     `json:"kind"`
	UniqueKey   string     `json:"unique_key"`
	State       string     `json:"state"`
	Attempts    int        `json:"attempts"`
	MaxAttempts int        `json:"max_attempts"`
	RunAt       time.Time  `json:"run_at"`
	Progress    string     `json:"progress"`
	LastError   string     `json:"last_error"`
	Delivery    int64      `json:"delivery"`
	CreatedAt   time.Time  `json:"created_at"`
	StartedAt   *time.Time `json:"started_at"`
	FinishedAt  *time.Time `json:"finished_at"`
	Args        string     `json:"args"` // in one task's view only
}

// active reports whether the task may still run: only then is its
// progress text current.
func (t *taskRow) active() bool { return t.State == "pending" || t.State == "running" }

// printTasks writes tasks as a table. A finished task's progress is left
// out: it is the last the task reported, not what it is doing.
func printTasks(w io.Writer, ts []taskRow) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCREATED\tPLUGIN\tKIND\tSTATE\tATTEMPTS\tRUN AT\tPROGRESS\tLAST ERROR")
	for _, t := range ts {
		progress, runAt := "-", "-"
		if t.active() {
			progress, runAt = orDash(oneLine(t.Progress, 30)), localTime(&t.RunAt)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d/%d\t%s\t%s\t%s\n", t.ID, localTime(&t.CreatedAt), t.Plugin, t.Kind,
			t.State, t.Attempts, t.MaxAttempts, runAt, progress, oneLine(t.LastError, 50))
	}
	return tw.Flush()
}

// printTask writes a readable view of one task; a finished task's
// progress is labelled as the last it reported.
func printTask(w io.Writer, t *taskRow) error {
	fl := newFieldList(w)
	field := fl.add
	field("task", strconv.FormatInt(t.ID, 10))
	field("plugin", t.Plugin)
	field("kind", t.Kind)
	field("unique key", t.UniqueKey)
	field("state", t.State)
	field("attempts", fmt.Sprintf("%d/%d", t.Attempts, t.MaxAttempts))
	field("from delivery", strconv.FormatInt(t.Delivery, 10))
	field("created", localTime(&t.CreatedAt))
	if t.State == "pending" {
		field("next run", localTime(&t.RunAt))
	}
	field("started", localTime(t.StartedAt))
	field("finished", localTime(t.FinishedAt))
	if t.active() {
		field("progress", t.Progress)
	} else {
		field("last progress", t.Progress)
	}
	field("last error", t.LastError)
	if err := fl.flush(); err != nil {
		return err
	}
	if t.Args != "" {
		args, ok := indentJSON(t.Args)
		if !ok {
			args = t.Args
		}
		fmt.Fprintf(w, "\nargs:\n%s\n", strings.TrimRight(args, "\n"))
	}
	return nil
}
