package main

import (
	"fmt"
	"io"
	"strings"
)

// writeReference writes the docs as Markdown, for the README's plugin
// configuration reference.
func writeReference(w io.Writer, docs []pluginDoc) {
	for _, d := range docs {
		fmt.Fprintf(w, "### `%s`: %s\n\n", d.ID, d.Name)
		fmt.Fprintf(w, "%s %s by default.\n\n", mdText(d.Description), capitalize(enabledWord(d.EnabledByDefault)))
		switch {
		case len(d.Webhooks) == 0 && d.Probed:
			fmt.Fprint(w, "Webhooks: known once the plugin loads with its config.\n\n")
		case len(d.Webhooks) == 0:
			fmt.Fprint(w, "Webhooks: none.\n\n")
		default:
			fmt.Fprint(w, "Webhooks:\n\n")
			for _, h := range d.Webhooks {
				fmt.Fprintf(w, "- `%s %s` (%s): %s. %s\n", strings.Join(h.Methods, ", "), h.Endpoint, h.Mode, mdText(h.Name), mdText(h.Description))
			}
			fmt.Fprintln(w)
		}
		if len(d.Fields) == 0 {
			fmt.Fprint(w, "No config.\n\n")
			continue
		}
		fmt.Fprintf(w, "Config, under `plugins.%s.config`:\n\n", d.ID)
		fmt.Fprintln(w, "| key | type | default | required | description |")
		fmt.Fprintln(w, "|---|---|---|---|---|")
		for _, f := range d.Fields {
			def := ""
			if f.Default != "" {
				def = "`" + f.Default + "`"
			}
			req := ""
			if f.Required {
				req = "yes"
			}
			fmt.Fprintf(w, "| `%s` | %s | %s | %s | %s |\n", f.Key, f.Type, def, req, mdText(fieldText(f)))
		}
		fmt.Fprintln(w)
	}
}

// mdText escapes what Markdown would read as a table cell's end or an
// HTML tag.
func mdText(s string) string {
	return strings.NewReplacer("|", `\|`, "<", `\<`).Replace(strings.Join(strings.Fields(s), " "))
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
