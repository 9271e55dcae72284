package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"

	"github.com/hookpoint/hookpoint/internal/plugin"
)

// webhooks prints every webhook's full URL, plugin, name and description.
func webhooks(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("webhooks", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf configFlags
	cf.register(fs, false)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	set, err := plugin.Load(ctx, plugin.LoadOpts{Config: cfg, Logger: slog.New(slog.DiscardHandler), ListOnly: true})
	if err != nil {
		return err
	}
	type row struct {
		URL         string   `json:"url"`
		Plugin      string   `json:"plugin"`
		Name        string   `json:"name"`
		Description string   `json:"description"`
		Methods     []string `json:"methods"`
		Public      bool     `json:"public"`
		Mode        string   `json:"mode"`
	}
	rows := []row{}
	var notes []string
	for _, inst := range set.All() {
		switch inst.State {
		case plugin.StateFailed:
			notes = append(notes, fmt.Sprintf("plugin %s not loaded: %v", inst.ID(), inst.Err))
		case plugin.StateDisabled:
			notes = append(notes, fmt.Sprintf("plugin %s disabled", inst.ID()))
		}
		for _, ep := range inst.Endpoints() {
			rows = append(rows, row{ep.URL, inst.ID(), ep.Name, ep.Description, ep.Methods, ep.Public, ep.Mode.String()})
		}
	}
	if *asJSON {
		return writeJSON(stdout, rows)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "URL\tPLUGIN\tMODE\tNAME\tDESCRIPTION")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.URL, r.Plugin, r.Mode, r.Name, r.Description)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(rows) == 0 {
		fmt.Fprintln(stdout, "(no webhooks: no plugin is loaded)")
	}
	for _, n := range notes {
		fmt.Fprintln(stderr, strings.TrimSpace(n))
	}
	return nil
}
