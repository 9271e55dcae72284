package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// plugins lists the registered plugins and describes their config.
func plugins(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub, args, err := subcommand(stderr, "plugins", args, "ls", "describe")
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("plugins "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf configFlags
	cf.register(fs, false)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	docs, err := describePlugins(ctx, cfg)
	if err != nil {
		return err
	}
	switch {
	case sub == "ls" && len(pos) > 0:
		return fmt.Errorf("plugins ls takes no arguments, got %q", pos)
	case sub == "describe" && len(pos) > 1:
		return fmt.Errorf("plugins describe takes at most one plugin id, got %q", pos)
	case sub == "describe" && len(pos) == 1:
		docs, err = onePlugin(docs, pos[0])
		if err != nil {
			return err
		}
	}
	if *asJSON {
		return writeJSON(stdout, docs)
	}
	if sub == "describe" {
		writeDescription(stdout, docs)
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tBY DEFAULT\tWEBHOOKS\tNAME")
	for _, d := range docs {
		var eps []string
		for _, h := range d.Webhooks {
			eps = append(eps, h.Endpoint)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.ID, d.State, enabledWord(d.EnabledByDefault), orDash(strings.Join(eps, ", ")), d.Name)
	}
	return tw.Flush()
}

// onePlugin returns the doc of plugin id.
func onePlugin(docs []pluginDoc, id string) ([]pluginDoc, error) {
	ids := make([]string, len(docs))
	for i, d := range docs {
		if d.ID == id {
			return docs[i : i+1], nil
		}
		ids[i] = d.ID
	}
	return nil, fmt.Errorf("no plugin %q (available: %s)", id, strings.Join(ids, ", "))
}
