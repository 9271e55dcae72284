package plugin_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hookpoint/hookpoint/internal/config"
	"github.com/hookpoint/hookpoint/internal/plugin"
	"github.com/hookpoint/hookpoint/sdk"
	"github.com/hookpoint/hookpoint/sdk/sdktest"
)

type testConfig struct {
	Secret  sdk.Secret    `json:"SECRET" title:"Secret" required:"true"`
	ChatKey string        `json:"CHAT_KEY" default:"inbox-default"`
	Count   int           `json:"COUNT" default:"2"`
	Wait    time.Duration `json:"WAIT" default:"1s"`
	On      bool          `json:"ON"`
	Tags    []string      `json:"TAGS"`
}

// testPlugin mounts the webhooks its provision func asks for.
type testPlugin struct {
	cfg       testConfig
	provision func(h sdk.Host) error
}

func (p *testPlugin) PluginInfo() sdk.Info { return sdk.Info{ID: "t.p"} }
func (p *testPlugin) PluginConfig() any    { return &p.cfg }
func (p *testPlugin) Provision(h sdk.Host) error {
	if p.provision != nil {
		return p.provision(h)
	}
	return nil
}

var ok = sdk.HandlerFunc(func(context.Context, *sdk.Request) (*sdk.Response, error) { return nil, nil })

func registry(provision func(h sdk.Host) error, byDefault bool) []sdk.Info {
	return []sdk.Info{{
		ID:               "t.p",
		EnabledByDefault: byDefault,
		New:              func() sdk.Plugin { return &testPlugin{provision: provision} },
	}}
}

func load(t *testing.T, reg []sdk.Info, pc map[string]config.Plugin) (*plugin.Set, error) {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Plugins = pc
	return plugin.Load(context.Background(), plugin.LoadOpts{Config: cfg, Registry: reg})
}

func enabled(cfg map[string]any) map[string]config.Plugin {
	return map[string]config.Plugin{"t.p": {Config: cfg}}
}

func TestConfigDecoding(t *testing.T) {
	t.Parallel()
	set, err := load(t, registry(nil, false), enabled(map[string]any{
		"SECRET": "abc", "COUNT": "7", "ON": "true", "TAGS": []any{"a", "b"},
	}))
	if err != nil {
		t.Fatal(err)
	}
	inst := set.Lookup("t.p")
	c := inst.Config.(*testConfig)
	if c.Secret.Reveal() != "abc" || c.ChatKey != "inbox-default" || c.Count != 7 || c.Wait != time.Second || !c.On || len(c.Tags) != 2 {
		t.Errorf("decoded config = %+v", c)
	}
	if inst.State != plugin.StateLoaded {
		t.Errorf("state = %s", inst.State)
	}
	if len(inst.Fields) != 6 || !inst.Fields[0].Secret || !inst.Fields[0].Required || inst.Fields[0].Title != "Secret" {
		t.Errorf("fields = %+v", inst.Fields)
	}
}

func TestLoadErrorsNamePluginAndField(t *testing.T) {
	t.Parallel()
	mount := func(w sdk.Webhook) func(h sdk.Host) error {
		return func(h sdk.Host) error { return h.Webhook(w) }
	}
	tests := []struct {
		name      string
		cfg       map[string]any
		provision func(h sdk.Host) error
		want      string
	}{
		{"missing required", map[string]any{}, nil, "SECRET is required"},
		{"empty secret", map[string]any{"SECRET": ""}, nil, "SECRET is required"},
		{"unknown key", map[string]any{"SECRET": "x", "SECRT": "y"}, nil, `unknown config key "SECRT"`},
		{"wrong type", map[string]any{"SECRET": "x", "COUNT": "many"}, nil, "COUNT"},
		{"bad duration", map[string]any{"SECRET": "x", "WAIT": "soon"}, nil, "WAIT"},
		{"no slash", map[string]any{"SECRET": "x"}, mount(sdk.Webhook{Endpoint: "github", Public: true, Handler: ok}), "must start with /"},
		{"empty", map[string]any{"SECRET": "x"}, mount(sdk.Webhook{Endpoint: "", Public: true, Handler: ok}), "empty"},
		{"dotdot", map[string]any{"SECRET": "x"}, mount(sdk.Webhook{Endpoint: "/a/../b", Public: true, Handler: ok}), `".."`},
		{"double slash", map[string]any{"SECRET": "x"}, mount(sdk.Webhook{Endpoint: "/a//b", Public: true, Handler: ok}), "empty segment"},
		{"no handler", map[string]any{"SECRET": "x"}, mount(sdk.Webhook{Endpoint: "/a", Public: true}), "no handler"},
		{"no verification", map[string]any{"SECRET": "x"}, mount(sdk.Webhook{Endpoint: "/a", Handler: ok}), "no verification"},
		{"bad method", map[string]any{"SECRET": "x"}, mount(sdk.Webhook{Endpoint: "/a", Public: true, Methods: []string{"GE T"}, Handler: ok}), "not an HTTP method"},
		{"duplicate", map[string]any{"SECRET": "x"}, func(h sdk.Host) error {
			if err := h.Webhook(sdk.Webhook{Endpoint: "/a", Public: true, Handler: ok}); err != nil {
				return err
			}
			return h.Webhook(sdk.Webhook{Endpoint: "/a", Public: true, Handler: ok})
		}, "mounted twice"},
		{"panic", map[string]any{"SECRET": "x"}, func(sdk.Host) error { panic("boom") }, "panic while loading: boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := load(t, registry(tt.provision, false), enabled(tt.cfg))
			if err == nil || !strings.Contains(err.Error(), "plugin t.p") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one naming plugin t.p and %q", err, tt.want)
			}
		})
	}
}

func TestDefaultEnabledPluginThatFailsIsSkipped(t *testing.T) {
	t.Parallel()
	set, err := load(t, registry(nil, true), nil)
	if err != nil {
		t.Fatalf("a plugin enabled only by default stopped the load: %v", err)
	}
	inst := set.Lookup("t.p")
	if inst.State != plugin.StateFailed || inst.Err == nil || !strings.Contains(inst.Err.Error(), "SECRET") {
		t.Errorf("state = %s, err = %v", inst.State, inst.Err)
	}
	no := false
	set, err = load(t, registry(nil, true), map[string]config.Plugin{"t.p": {Enabled: &no}})
	if err != nil || set.Lookup("t.p").State != plugin.StateDisabled {
		t.Errorf("disabled in config: err %v", err)
	}
	if _, err := load(t, registry(nil, true), map[string]config.Plugin{"x.y": {}}); err == nil || !strings.Contains(err.Error(), `no plugin "x.y"`) {
		t.Errorf("unknown plugin in config: err = %v", err)
	}
}

func TestEndpointsAndOverrides(t *testing.T) {
	t.Parallel()
	provision := func(h sdk.Host) error {
		for _, w := range []sdk.Webhook{
			{Endpoint: "/a/b-c_d.e~f", Public: true, Methods: []string{"post", "GET"}, Handler: ok},
			{Endpoint: "/", Public: true, MaxBodyBytes: 10, Handler: ok},
		} {
			if err := h.Webhook(w); err != nil {
				return err
			}
		}
		return nil
	}
	pc := enabled(map[string]any{"SECRET": "x"})
	p := pc["t.p"]
	p.Webhooks = map[string]config.Webhook{"/": {MaxBodyBytes: 99}}
	pc["t.p"] = p
	set, err := load(t, registry(provision, false), pc)
	if err != nil {
		t.Fatal(err)
	}
	inst := set.Lookup("t.p")
	a := inst.Endpoint("/a/b-c_d.e~f")
	if a == nil || strings.Join(a.Methods, ",") != "POST,GET,HEAD" || a.MaxBodyBytes != sdk.DefaultMaxBodyBytes {
		t.Fatalf("endpoint a = %+v", a)
	}
	if a.URL != "http://localhost:8080/api/plugin/t.p/webhook/a/b-c_d.e~f" {
		t.Errorf("URL = %s", a.URL)
	}
	if !a.Allows("HEAD") || a.Allows("DELETE") {
		t.Error("Allows wrong")
	}
	if root := inst.Endpoint("/"); root == nil || root.MaxBodyBytes != 99 {
		t.Errorf("config override of the body limit not applied: %+v", root)
	}
	pc2 := enabled(map[string]any{"SECRET": "x"})
	p2 := pc2["t.p"]
	p2.Webhooks = map[string]config.Webhook{"/nope": {MaxBodyBytes: 1}}
	pc2["t.p"] = p2
	if _, err := load(t, registry(provision, false), pc2); err == nil || !strings.Contains(err.Error(), "/nope") {
		t.Errorf("override of a missing endpoint: err = %v", err)
	}
}

func TestWorkersAndEnqueue(t *testing.T) {
	t.Parallel()
	var h sdk.Host
	provision := func(host sdk.Host) error {
		h = host
		return host.Worker(sdk.Worker{Kind: "ping", Handler: func(context.Context, *sdk.Task) error { return nil }})
	}
	set, err := load(t, registry(provision, false), enabled(map[string]any{"SECRET": "x"}))
	if err != nil {
		t.Fatal(err)
	}
	if w := set.Lookup("t.p").Worker("ping"); w == nil || w.Policy.MaxAttempts != 12 {
		t.Fatalf("worker = %+v", w)
	}
	if _, err := h.Enqueue(context.Background(), pingArgs{}, nil); err == nil || !strings.Contains(err.Error(), "no task store") {
		t.Errorf("enqueue without a store: %v", err)
	}
	if _, err := h.Enqueue(context.Background(), otherArgs{}, nil); err == nil || !strings.Contains(err.Error(), "no worker") {
		t.Errorf("enqueue of an unknown kind: %v", err)
	}
	if err := h.Worker(sdk.Worker{Kind: "late", Handler: func(context.Context, *sdk.Task) error { return nil }}); err == nil {
		t.Error("registering a worker after Provision succeeded")
	}
	if err := h.Webhook(sdk.Webhook{Endpoint: "/late", Public: true, Handler: ok}); err == nil {
		t.Error("mounting a webhook after Provision succeeded")
	}
	dup := func(host sdk.Host) error {
		w := sdk.Worker{Kind: "a", Handler: func(context.Context, *sdk.Task) error { return nil }}
		host.Worker(w)
		return host.Worker(w)
	}
	if _, err := load(t, registry(dup, false), enabled(map[string]any{"SECRET": "x"})); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("duplicate worker: %v", err)
	}
}

type pingArgs struct{}

func (pingArgs) Kind() string { return "ping" }

type otherArgs struct{}

func (otherArgs) Kind() string { return "other" }

// The loader and sdktest's fake host take and refuse the same webhooks,
// and agree on the methods an endpoint allows.
func TestLoaderAndSDKTestAgree(t *testing.T) {
	t.Parallel()
	for _, w := range []sdk.Webhook{
		{Endpoint: "/", Public: true, Handler: ok},
		{Endpoint: "/a/b", Public: true, Methods: []string{"post", "get"}, Handler: ok},
		{Endpoint: "/a//b", Public: true, Handler: ok},
		{Endpoint: "/x", Handler: ok},
		{Endpoint: "/y", Public: true, Methods: []string{"PO ST"}, Handler: ok},
		{Endpoint: "/z", Public: true, MaxBodyBytes: -1, Handler: ok},
	} {
		set, lerr := load(t, registry(func(h sdk.Host) error { return h.Webhook(w) }, false), enabled(map[string]any{"SECRET": "s"}))
		kerr := sdktest.NewHost(t, "t.p").Webhook(w)
		if (lerr == nil) != (kerr == nil) {
			t.Errorf("%q: loader says %v, sdktest says %v", w.Endpoint, lerr, kerr)
			continue
		}
		if lerr == nil {
			if got, want := set.Lookup("t.p").Endpoint(w.Endpoint).Methods, w.AllowedMethods(); !slices.Equal(got, want) {
				t.Errorf("%q: loader allows %v, sdk says %v", w.Endpoint, got, want)
			}
		}
	}
}
