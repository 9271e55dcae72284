package config

import (
	"fmt"
	"os"

	"go.yaml.in/yaml/v3"

	"github.com/hookpoint/hookpoint/sdk"
)

// AdminAccess is what a command that only talks to a running server's
// admin API needs from the config: where the server listens and its
// admin token.
type AdminAccess struct {
	// Listen is the config's listen address, or DefaultListen.
	Listen string
	// ListenErr is why listen could not be resolved, or nil.
	ListenErr error
	// Token is the config's admin.token; unset when there is none.
	Token sdk.Secret
	// TokenErr is why admin.token could not be resolved (an unset
	// variable, an unreadable file), or nil.
	TokenErr error
}

// LoadAdminAccess reads listen and admin.token from the config file at
// path (none when path is ""), leniently: the rest of the file is neither
// substituted nor validated, so a ${env:...} or ${file:...} that only the
// server can resolve does not stop an operator command. A key that cannot
// be resolved is reported in its own error field.
func LoadAdminAccess(path string) (*AdminAccess, error) {
	a := &AdminAccess{Listen: DefaultListen}
	if path == "" {
		return a, nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("config %s: parsing YAML: %w", path, err)
	}
	if v, ok, err := lookupString(&doc, "listen"); err != nil {
		a.ListenErr = fmt.Errorf("config %s: listen: %w", path, err)
	} else if ok && v != "" {
		a.Listen = v
	}
	if v, _, err := lookupString(&doc, "admin", "token"); err != nil {
		a.TokenErr = fmt.Errorf("config %s: admin.token: %w", path, err)
	} else {
		a.Token = sdk.NewSecret(v)
	}
	return a, nil
}

// lookupString finds the scalar at the path of mapping keys below the
// document n and substitutes it; ok is false when the key is absent.
func lookupString(n *yaml.Node, path ...string) (v string, ok bool, err error) {
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	for _, key := range path {
		if n.Kind != yaml.MappingNode {
			return "", false, nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				next = n.Content[i+1]
			}
		}
		if next == nil {
			return "", false, nil
		}
		n = next
	}
	if n.Kind != yaml.ScalarNode {
		return "", true, fmt.Errorf("want a string, line %d", n.Line)
	}
	v, _, err = Substitute(n.Value)
	return v, true, err
}
