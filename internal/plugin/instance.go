// Package plugin loads registered plugins into instances: it decodes each
// plugin's typed config, provisions it with a host, and validates the
// webhooks it mounts.
package plugin

import (
	"log/slog"

	"github.com/hookpoint/hookpoint/sdk"
)

// State is a plugin instance's state.
type State string

// The states of an instance.
const (
	StateLoaded   State = "loaded"
	StateDisabled State = "disabled"
	StateFailed   State = "failed"
)

// Instance is one plugin in the running server.
type Instance struct {
	// Info is the plugin's registration.
	Info sdk.Info
	// State says whether the plugin is loaded, disabled or failed.
	State State
	// Err is why a failed plugin did not load.
	Err error
	// Plugin is the plugin value.
	Plugin sdk.Plugin
	// Config points to the decoded config struct, or is nil.
	Config any
	// Fields describes the config struct's fields, whatever the state.
	Fields []Field
	// Logger is the plugin's logger.
	Logger *slog.Logger
	// DataDir is the plugin's data directory.
	DataDir string

	endpoints map[string]*Endpoint
	order     []*Endpoint
	workers   map[string]*WorkerSpec
}

// Worker returns the worker registered for a task kind, or nil.
func (i *Instance) Worker(kind string) *WorkerSpec { return i.workers[kind] }

// ID returns the plugin key.
func (i *Instance) ID() string { return i.Info.ID }

// Endpoint returns the endpoint mounted at path, or nil.
func (i *Instance) Endpoint(path string) *Endpoint { return i.endpoints[path] }

// Endpoints returns the endpoints in the order they were mounted.
func (i *Instance) Endpoints() []*Endpoint { return i.order }
