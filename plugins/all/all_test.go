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
		"hookpoint.gitlab":   false,
		"hookpoint.generic":  false,
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
				if isSecretKey(key) {
					if f.Type != secretType {
						t.Errorf("config field %s (%s) must be an sdk.Secret", f.Name, key)
					}
					// A previous secret, kept for rotation, is optional;
					// every other secret is required.
					if required := !strings.Contains(key, "PREVIOUS"); (f.Tag.Get("required") == "true") != required {
						t.Errorf("config field %s (%s): required tag %q, want required=%v", f.Name, key, f.Tag.Get("required"), required)
					}
				}
			}
		})
	}
	for id := range want {
		t.Errorf("plugin %s is not registered", id)
	}
}

// isSecretKey reports whether a config key names a secret value: it
// mentions SECRET or TOKEN and does not name where a token is sent
// (TOKEN_HEADER, TOKEN_QUERY).
func isSecretKey(key string) bool {
	if strings.HasSuffix(key, "_HEADER") || strings.HasSuffix(key, "_QUERY") {
		return false
	}
	return strings.Contains(key, "SECRET") || strings.Contains(key, "TOKEN")
}
