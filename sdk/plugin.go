package sdk

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Info describes a plugin.
type Info struct {
	// ID is the plugin key "author.module". Each part matches
	// [A-Za-z0-9_]+ and does not start with a digit.
	ID string
	// Name is a human-readable name.
	Name string
	// Description says what the plugin does.
	Description string
	// Version is the plugin's version string.
	Version string
	// EnabledByDefault loads the plugin when the config does not mention
	// it. A plugin enabled only by default that fails to load is reported
	// and skipped; one enabled in the config that fails stops the server.
	EnabledByDefault bool
	// New returns a new, unconfigured plugin value. It must have no side
	// effects.
	New func() Plugin
}

// Plugin is implemented by every plugin.
type Plugin interface {
	PluginInfo() Info
}

// Configurable is implemented by plugins that take config. PluginConfig
// returns a pointer to the struct the host decodes the plugin's config
// into.
type Configurable interface {
	PluginConfig() any
}

// Validator is implemented by plugins that check their decoded config.
type Validator interface {
	Validate() error
}

// Provisioner is implemented by plugins that set themselves up with their
// host, for instance to mount webhooks.
type Provisioner interface {
	Provision(h Host) error
}

// CleanerUpper is implemented by plugins that release resources at
// shutdown.
type CleanerUpper interface {
	Cleanup() error
}

var idPart = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ParseID splits a plugin key "author.module" and validates both parts.
func ParseID(id string) (author, module string, err error) {
	author, module, ok := strings.Cut(id, ".")
	if !ok {
		return "", "", fmt.Errorf("plugin id %q: want author.module", id)
	}
	if !idPart.MatchString(author) {
		return "", "", fmt.Errorf("plugin id %q: author %q must match [A-Za-z0-9_]+ and not start with a digit", id, author)
	}
	if !idPart.MatchString(module) {
		return "", "", fmt.Errorf("plugin id %q: module %q must match [A-Za-z0-9_]+ and not start with a digit", id, module)
	}
	return author, module, nil
}

var (
	registryMu sync.RWMutex
	registry   = map[string]Info{}
)

// Register adds a plugin to the registry. It is meant to be called from an
// init function and panics if the plugin's ID is invalid or taken.
func Register(p Plugin) {
	info := p.PluginInfo()
	if _, _, err := ParseID(info.ID); err != nil {
		panic("sdk.Register: " + err.Error())
	}
	if info.New == nil {
		panic("sdk.Register: plugin " + info.ID + ": Info.New is nil")
	}
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[info.ID]; dup {
		panic("sdk.Register: plugin " + info.ID + " already registered")
	}
	registry[info.ID] = info
}

// Registered returns the Info of every registered plugin, sorted by ID.
func Registered() []Info {
	registryMu.RLock()
	defer registryMu.RUnlock()
	out := make([]Info, 0, len(registry))
	for _, info := range registry {
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
