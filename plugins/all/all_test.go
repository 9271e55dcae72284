package all_test

import (
	"reflect"
	"strings"
	"testing"

	_ "github.com/hookpoint/hookpoint/plugins/all"
	"github.com/hookpoint/hookpoint/sdk"
)

func TestBuiltinsRegistered(t *testing.T) {
	t.Parallel()
	want := map[string]bool{ // ID: enabled by default
		"hookpoint.github":   true,
		"hookpoint.resource": false,
		"hookpoint.report":   false,
		"hookpoint.job":      false,
	}
	secretType := reflect.TypeFor[sdk.Secret]()
	for _, info := range sdk.Registered() {
		enabled, ok := want[info.ID]
		if !ok {
			continue
		}
		delete(want, info.ID)
		t.Run(info.ID, func(t *testing.T) {
			t.Parallel()
			if info.EnabledByDefault != enabled {
				t.Errorf("EnabledByDefault = %v, want %v", info.EnabledByDefault, enabled)
			}
			a, b := info.New(), info.New()
			if a == b {
				t.Error("New returns the same value twice")
			}
			if _, ok := a.(sdk.Provisioner); !ok {
				t.Error("plugin is not an sdk.Provisioner")
			}
			c, ok := a.(sdk.Configurable)
			if !ok {
				t.Fatal("plugin is not sdk.Configurable")
			}
			cfg := reflect.TypeOf(c.PluginConfig())
			if cfg.Kind() != reflect.Pointer || cfg.Elem().Kind() != reflect.Struct {
				t.Fatalf("PluginConfig returns %v, want a pointer to a struct", cfg)
			}
			for f := range cfg.Elem().Fields() {
				key := f.Tag.Get("json")
				if key == "" || key != strings.ToUpper(key) || f.Tag.Get("title") == "" || f.Tag.Get("desc") == "" {
					t.Errorf("config field %s: want an upper-case json key, a title and a desc; tags %q", f.Name, f.Tag)
				}
				if strings.Contains(key, "SECRET") || strings.Contains(key, "TOKEN") {
					if f.Type != secretType || f.Tag.Get("required") != "true" {
						t.Errorf("config field %s (%s) must be a required sdk.Secret", f.Name, key)
					}
				}
			}
		})
	}
	for id := range want {
		t.Errorf("plugin %s is not registered", id)
	}
}
