// Package resource is the built-in resource plugin, hookpoint.resource:
// the seed's second example, one endpoint that branches on the method.
// GET lists the stored resources, POST stores a JSON object and DELETE
// ?id= removes one. Resources are kept in resources.json in the plugin's
// data directory, so they survive restarts. Clients authenticate with
// "Authorization: Bearer <API_TOKEN>".
package resource

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"

	"github.com/hookpoint/hookpoint/sdk"
	"github.com/hookpoint/hookpoint/verify"
)

func init() { sdk.Register(Plugin{}) }

// ID is the plugin key.
const ID = "hookpoint.resource"

// Endpoint is the webhook endpoint below the plugin's webhook root.
const Endpoint = "/resource"

// StoreFile is the name of the file in the data directory that holds the
// resources.
const StoreFile = "resources.json"

// Config is the plugin's config section.
type Config struct {
	// APIToken is the bearer token clients must send.
	APIToken sdk.Secret `json:"API_TOKEN" title:"API token" desc:"Clients must send Authorization: Bearer <API_TOKEN>." required:"true"`
}

// Plugin is the resource plugin.
type Plugin struct {
	Config Config

	host  sdk.Host
	store *store
}

// PluginInfo describes the plugin.
func (Plugin) PluginInfo() sdk.Info {
	return sdk.Info{
		ID:          ID,
		Name:        "Resource",
		Description: "A small JSON resource store behind one endpoint: GET lists, POST creates, DELETE removes.",
		Version:     "0.1.0",
		New:         func() sdk.Plugin { return new(Plugin) },
	}
}

// PluginConfig returns the config the host decodes into.
func (p *Plugin) PluginConfig() any { return &p.Config }

// Validate checks that the API token is set.
func (p *Plugin) Validate() error {
	if !p.Config.APIToken.IsSet() {
		return errors.New("API_TOKEN is required")
	}
	return nil
}

// Provision loads the stored resources and mounts the /resource webhook.
func (p *Plugin) Provision(h sdk.Host) error {
	v, err := verify.Bearer(p.Config.APIToken.Reveal())
	if err != nil {
		return fmt.Errorf("building bearer token verifier: %w", err)
	}
	s, err := openStore(filepath.Join(h.DataDir(), StoreFile))
	if err != nil {
		return err
	}
	p.host, p.store = h, s
	return h.Webhook(sdk.Webhook{
		Endpoint:    Endpoint,
		Name:        "Resource Handler",
		Description: "GET lists resources, POST creates one from a JSON object, DELETE ?id= removes one.",
		Methods:     []string{http.MethodGet, http.MethodPost, http.MethodDelete},
		Verify:      []sdk.Verifier{v},
		Handler:     sdk.HandlerFunc(p.serveResource),
	})
}

func (p *Plugin) serveResource(ctx context.Context, req *sdk.Request) (*sdk.Response, error) {
	switch req.Method {
	case http.MethodGet, http.MethodHead:
		return sdk.JSON(http.StatusOK, map[string]any{"status": "available", "data": p.store.list()})
	case http.MethodPost:
		return p.create(req)
	case http.MethodDelete:
		return p.delete(req)
	default:
		// The server answers these before the handler runs.
		return nil, &sdk.HTTPError{
			Status: http.StatusMethodNotAllowed,
			Detail: "Method Not Allowed",
			Header: http.Header{"Allow": {"GET, HEAD, POST, DELETE"}},
		}
	}
}

func (p *Plugin) create(req *sdk.Request) (*sdk.Response, error) {
	var obj map[string]json.RawMessage
	if err := req.DecodeJSON(&obj); err != nil {
		return nil, err
	}
	if obj == nil {
		return nil, sdk.Error(http.StatusBadRequest, "invalid JSON payload: expected a JSON object")
	}
	var data bytes.Buffer
	if err := json.Compact(&data, req.Body); err != nil {
		return nil, sdk.Errorf(http.StatusBadRequest, "invalid JSON payload: %w", err)
	}
	r, err := p.store.add(data.Bytes(), req.ReceivedAt)
	if err != nil {
		return nil, err
	}
	req.Logger.Info("resource created", "id", r.ID)
	resp, err := sdk.JSON(http.StatusCreated, map[string]string{"status": "created", "id": r.ID})
	if err == nil {
		resp.Header.Set("Location", p.host.WebhookURL(Endpoint)+"?id="+url.QueryEscape(r.ID))
	}
	return resp, err
}

func (p *Plugin) delete(req *sdk.Request) (*sdk.Response, error) {
	id := req.Query.Get("id")
	if id == "" {
		return nil, sdk.Error(http.StatusBadRequest, "query parameter id is required")
	}
	found, err := p.store.remove(id)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, sdk.Errorf(http.StatusNotFound, "resource %q not found", id)
	}
	req.Logger.Info("resource deleted", "id", id)
	return sdk.JSON(http.StatusOK, map[string]string{"status": "deleted", "id": id})
}

var (
	_ sdk.Configurable = (*Plugin)(nil)
	_ sdk.Validator    = (*Plugin)(nil)
	_ sdk.Provisioner  = (*Plugin)(nil)
)
