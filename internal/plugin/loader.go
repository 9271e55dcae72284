package plugin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hookpoint/hookpoint/internal/config"
	"github.com/hookpoint/hookpoint/sdk"
)

// LoadOpts says what Load loads and with what.
type LoadOpts struct {
	// Config is the server config.
	Config *config.Config
	// Registry lists the plugins to load. Defaults to sdk.Registered().
	Registry []sdk.Info
	// Sender sends chat messages for plugins.
	Sender Sender
	// Tasks stores durable tasks.
	Tasks TaskStore
	// TaskNotify is called after a task is enqueued.
	TaskNotify func()
	// CancelRun cancels, at once, a task this process runs whose
	// cancellation was just requested.
	CancelRun func(id int64)
	// Logger is the server logger; plugin loggers derive from it.
	Logger *slog.Logger
	// ListOnly loads plugins to list them: data directories are not
	// created.
	ListOnly bool
}

// Set is the loaded plugins of a server.
type Set struct {
	list []*Instance
	byID map[string]*Instance
}

// Load builds an instance of every registered plugin. A plugin enabled in
// the config that fails to load is an error naming the plugin; one enabled
// only by default is recorded as failed, for the caller to report.
func Load(ctx context.Context, o LoadOpts) (*Set, error) {
	if o.Registry == nil {
		o.Registry = sdk.Registered()
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	s := &Set{byID: map[string]*Instance{}}
	known := make([]string, 0, len(o.Registry))
	for _, info := range o.Registry {
		known = append(known, info.ID)
	}
	for id := range o.Config.Plugins {
		if !slices.Contains(known, id) {
			return nil, fmt.Errorf("config: plugins: no plugin %q (available: %s)", id, strings.Join(known, ", "))
		}
	}
	for _, info := range o.Registry {
		inst := &Instance{
			Info:      info,
			State:     StateDisabled,
			Logger:    o.Logger.With("plugin", info.ID),
			DataDir:   filepath.Join(o.Config.DataDir, "plugin_data", info.ID),
			endpoints: map[string]*Endpoint{},
			workers:   map[string]*WorkerSpec{},
		}
		s.list = append(s.list, inst)
		s.byID[info.ID] = inst
		inst.Fields, _ = ConfigFields(info) // a config type it cannot describe fails the load below
		if !o.Config.PluginEnabled(info.ID, info.EnabledByDefault) {
			continue
		}
		if err := s.load(inst, o); err != nil {
			inst.State, inst.Err = StateFailed, err
			inst.endpoints, inst.order, inst.workers = map[string]*Endpoint{}, nil, map[string]*WorkerSpec{}
			if _, explicit := o.Config.Plugins[info.ID]; explicit {
				return nil, fmt.Errorf("plugin %s: %w", info.ID, err)
			}
			continue // the server's startup log reports it
		}
		inst.State = StateLoaded
	}
	return s, nil
}

func (s *Set) load(inst *Instance, o LoadOpts) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic while loading: %v", p)
		}
	}()
	p := inst.Info.New()
	if p == nil {
		return errors.New("Info.New returned nil")
	}
	inst.Plugin = p
	pc := o.Config.Plugins[inst.Info.ID]
	if c, ok := p.(sdk.Configurable); ok {
		inst.Config = c.PluginConfig()
		if err := decodeConfig(inst.Config, pc.Config); err != nil {
			return err
		}
	} else if len(pc.Config) > 0 {
		return errors.New("plugin takes no config, but the config file gives it some")
	}
	if v, ok := p.(sdk.Validator); ok {
		if err := v.Validate(); err != nil {
			return fmt.Errorf("invalid config: %w", err)
		}
	}
	for ep := range pc.Webhooks {
		if err := sdk.ValidateEndpoint(ep); err != nil {
			return fmt.Errorf("config webhooks: %w", err)
		}
	}
	if !o.ListOnly {
		if err := os.MkdirAll(inst.DataDir, 0o750); err != nil {
			return fmt.Errorf("creating data directory: %w", err)
		}
	}
	h := &host{
		inst:      inst,
		baseURL:   o.Config.BaseURL,
		maxBody:   o.Config.Limits.MaxBodyBytes,
		overrides: pc.Webhooks,
		sender:    o.Sender,
		tasks:     o.Tasks,
		notify:    o.TaskNotify,
		cancelRun: o.CancelRun,
	}
	if pv, ok := p.(sdk.Provisioner); ok {
		if err := pv.Provision(h); err != nil {
			return fmt.Errorf("provisioning: %w", err)
		}
	}
	h.seal()
	for ep := range pc.Webhooks {
		if inst.endpoints[ep] == nil {
			return fmt.Errorf("config webhooks: the plugin has no endpoint %s", ep)
		}
	}
	return nil
}

// Lookup returns the instance of plugin id, or nil.
func (s *Set) Lookup(id string) *Instance { return s.byID[id] }

// All returns every instance, sorted by plugin key.
func (s *Set) All() []*Instance { return s.list }

// Shutdown runs the plugins' Cleanup.
func (s *Set) Shutdown() error {
	var err error
	for _, inst := range s.list {
		if c, ok := inst.Plugin.(sdk.CleanerUpper); ok && inst.State == StateLoaded {
			if cerr := c.Cleanup(); cerr != nil {
				err = errors.Join(err, fmt.Errorf("plugin %s cleanup: %w", inst.ID(), cerr))
			}
		}
	}
	return err
}
