package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/hookpoint/hookpoint/internal/config"
	"github.com/hookpoint/hookpoint/internal/plugin"
)

// pluginDoc describes one registered plugin: what `plugins describe`
// prints and the README's configuration reference is generated from.
type pluginDoc struct {
	ID               string         `json:"id"`
	Name             string         `json:"name"`
	Description      string         `json:"description"`
	Version          string         `json:"version,omitempty"`
	EnabledByDefault bool           `json:"enabled_by_default"`
	State            plugin.State   `json:"state"`
	Error            string         `json:"error,omitempty"`
	Fields           []plugin.Field `json:"config_fields"`
	Webhooks         []webhookDoc   `json:"webhooks"`
	// Probed is set when the webhooks were learned by loading the plugin
	// with placeholders (plugin.Probe): it is not loaded as configured.
	Probed bool `json:"webhooks_probed,omitempty"`
}

// webhookDoc is one webhook of a plugin.
type webhookDoc struct {
	Methods     []string `json:"methods"`
	Endpoint    string   `json:"endpoint"`
	Mode        string   `json:"mode"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	URL         string   `json:"url,omitempty"` // for a loaded plugin only
}

// describePlugins describes every registered plugin under cfg: its state,
// its config fields (from the config type, loaded or not) and its
// webhooks, as mounted when it is loaded, else as plugin.Probe finds them.
func describePlugins(ctx context.Context, cfg *config.Config) ([]pluginDoc, error) {
	set, err := plugin.Load(ctx, plugin.LoadOpts{Config: cfg, Logger: slog.New(slog.DiscardHandler), ListOnly: true})
	if err != nil {
		return nil, err
	}
	docs := []pluginDoc{}
	for _, inst := range set.All() {
		d := pluginDoc{
			ID: inst.ID(), Name: inst.Info.Name, Description: inst.Info.Description, Version: inst.Info.Version,
			EnabledByDefault: inst.Info.EnabledByDefault, State: inst.State, Fields: inst.Fields, Webhooks: []webhookDoc{},
		}
		if inst.Err != nil {
			d.Error = inst.Err.Error()
		}
		eps := inst.Endpoints()
		if inst.State != plugin.StateLoaded {
			eps, d.Probed = plugin.Probe(ctx, inst.Info, cfg), true
		}
		for _, ep := range eps {
			methods := ep.Methods
			if len(methods) == 0 {
				methods = []string{"*"}
			}
			w := webhookDoc{Methods: methods, Endpoint: ep.Path, Mode: ep.Mode.String(), Name: ep.Name, Description: ep.Description}
			if !d.Probed {
				w.URL = ep.URL
			}
			d.Webhooks = append(d.Webhooks, w)
		}
		docs = append(docs, d)
	}
	return docs, nil
}

// writeDescription writes the docs as text, for `plugins describe`.
func writeDescription(w io.Writer, docs []pluginDoc) {
	for i, d := range docs {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s: %s %s\n", d.ID, d.Name, d.Version)
		if d.Description != "" {
			fmt.Fprintf(w, "  %s\n", d.Description)
		}
		state := string(d.State)
		if d.Error != "" {
			state += ": " + d.Error
		}
		fmt.Fprintf(w, "  %s by default; here: %s\n", enabledWord(d.EnabledByDefault), state)
		if len(d.Fields) == 0 {
			fmt.Fprintln(w, "  config: none")
		} else {
			fmt.Fprintf(w, "  config, under plugins.%s.config:\n", d.ID)
		}
		for _, f := range d.Fields {
			fmt.Fprintf(w, "    %s  %s\n", f.Key, strings.Join(fieldTraits(f), ", "))
			if text := fieldText(f); text != "" {
				fmt.Fprintf(w, "        %s\n", text)
			}
		}
		switch {
		case len(d.Webhooks) == 0 && d.Probed:
			fmt.Fprintln(w, "  webhooks: known once the plugin loads with its config")
		case len(d.Webhooks) == 0:
			fmt.Fprintln(w, "  webhooks: none")
		case d.Probed:
			fmt.Fprintln(w, "  webhooks, once configured:")
		default:
			fmt.Fprintln(w, "  webhooks:")
		}
		for _, h := range d.Webhooks {
			fmt.Fprintf(w, "    %s %s  %s  %s\n", strings.Join(h.Methods, ", "), h.Endpoint, h.Mode, h.Name)
			if h.URL != "" {
				fmt.Fprintf(w, "        %s\n", h.URL)
			}
			if h.Description != "" {
				fmt.Fprintf(w, "        %s\n", h.Description)
			}
		}
	}
}

// fieldTraits lists a field's type (a secret's is "secret"), default, and
// whether it is required.
func fieldTraits(f plugin.Field) []string {
	t := []string{f.Type}
	if f.Default != "" {
		t = append(t, "default "+f.Default)
	}
	if f.Required {
		t = append(t, "required")
	}
	return t
}

// fieldText joins a field's title and description.
func fieldText(f plugin.Field) string {
	switch {
	case f.Title == "":
		return f.Description
	case f.Description == "":
		return f.Title + "."
	default:
		return f.Title + ". " + f.Description
	}
}

func enabledWord(on bool) string {
	if on {
		return "enabled"
	}
	return "disabled"
}
