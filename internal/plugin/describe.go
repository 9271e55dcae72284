package plugin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"

	"github.com/hookpoint/hookpoint/internal/config"
	"github.com/hookpoint/hookpoint/sdk"
)

// ConfigFields describes the config fields of a registered plugin, from
// the type of its config struct, without loading it: listings show them
// for disabled and failed plugins too. A plugin that takes no config has
// none.
func ConfigFields(info sdk.Info) (fields []Field, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("plugin %s: panic while describing its config: %v", info.ID, p)
		}
	}()
	p := info.New()
	if p == nil {
		return nil, errors.New("Info.New returned nil")
	}
	c, ok := p.(sdk.Configurable)
	if !ok {
		return nil, nil
	}
	t := reflect.TypeOf(c.PluginConfig())
	if t == nil || t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("PluginConfig must return a pointer to a struct, not %v", t)
	}
	for _, f := range configFields(t.Elem()) {
		fields = append(fields, f.Field)
	}
	return fields, nil
}

// Probe loads the plugin of info alone, as listing commands do (nothing
// is created on disk), enabled with a placeholder for each required
// config field that has no default, to learn the webhooks it mounts when
// it is configured. It returns nil when the plugin does not load that
// way, for instance when a field takes only a few values.
func Probe(ctx context.Context, info sdk.Info, cfg *config.Config) []*Endpoint {
	fields, err := ConfigFields(info)
	if err != nil {
		return nil
	}
	placeholders := map[string]any{}
	for _, f := range fields {
		if v, ok := placeholder(f); ok && f.Required && f.Default == "" {
			placeholders[f.Key] = v
		}
	}
	probe := *cfg
	probe.Plugins = map[string]config.Plugin{info.ID: {Config: placeholders}}
	set, err := Load(ctx, LoadOpts{Config: &probe, Registry: []sdk.Info{info}, Logger: slog.New(slog.DiscardHandler), ListOnly: true})
	if err != nil {
		return nil
	}
	return set.Lookup(info.ID).Endpoints()
}

// placeholder returns a value of a field's type for Probe.
func placeholder(f Field) (any, bool) {
	switch f.Type {
	case "secret", "string":
		return "placeholder", true
	case "duration":
		return "1s", true
	case "bool":
		return true, true
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64":
		return 1, true
	default:
		return nil, false
	}
}
