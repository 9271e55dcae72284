package plugin_test

import (
	"context"
	"testing"

	"github.com/hookpoint/hookpoint/internal/config"
	"github.com/hookpoint/hookpoint/internal/plugin"
	"github.com/hookpoint/hookpoint/sdk"
)

// A plugin's config fields are listed whether it loaded, is disabled or
// failed: they come from its config type.
func TestFieldsOfPluginsNotLoaded(t *testing.T) {
	t.Parallel()
	for name, byDefault := range map[string]bool{"disabled": false, "failed": true} {
		set, err := load(t, registry(nil, byDefault), nil)
		if err != nil {
			t.Fatal(err)
		}
		inst := set.Lookup("t.p")
		if string(inst.State) != name {
			t.Errorf("%s: state %s", name, inst.State)
		}
		if len(inst.Fields) != 6 || inst.Fields[0].Key != "SECRET" || !inst.Fields[0].Required || !inst.Fields[0].Secret || inst.Fields[1].Default != "inbox-default" {
			t.Errorf("%s: fields = %+v", name, inst.Fields)
		}
	}
}

// Probe learns a plugin's webhooks without its config: required fields
// get placeholders.
func TestProbe(t *testing.T) {
	t.Parallel()
	mount := func(h sdk.Host) error {
		return h.Webhook(sdk.Webhook{Endpoint: "/hook", Name: "Hook", Methods: []string{"POST"}, Public: true, Handler: ok})
	}
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	eps := plugin.Probe(context.Background(), registry(mount, false)[0], cfg)
	if len(eps) != 1 || eps[0].Path != "/hook" || eps[0].Name != "Hook" {
		t.Errorf("endpoints = %+v", eps)
	}
	refuse := func(sdk.Host) error { return context.Canceled }
	if eps := plugin.Probe(context.Background(), registry(refuse, false)[0], cfg); eps != nil {
		t.Errorf("a plugin that does not load has endpoints %+v", eps)
	}
}
