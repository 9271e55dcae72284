// Package report is the built-in report plugin, hookpoint.report: the
// seed's third example. Clients upload a text report as
// multipart/form-data; the plugin saves it under the plugin's data
// directory (uploads/, with a sanitised name) and posts a preview to a
// chat. Clients authenticate with "Authorization: Bearer <API_TOKEN>".
//
// Form fields: report_file (the file, text/* and UTF-8), report_name
// (required) and target_chat (optional; defaults to DEFAULT_CHAT_KEY).
package report

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/hookpoint/hookpoint/sdk"
	"github.com/hookpoint/hookpoint/verify"
)

func init() { sdk.Register(Plugin{}) }

// ID is the plugin key.
const ID = "hookpoint.report"

// Endpoint is the webhook endpoint below the plugin's webhook root.
const Endpoint = "/upload_report"

// UploadDir is the directory below the plugin's data directory that
// uploaded reports are saved in.
const UploadDir = "uploads"

// DefaultMaxFileBytes is the default of Config.MaxFileBytes: 1 MiB.
const DefaultMaxFileBytes = 1 << 20

// Form field names.
const (
	FieldFile   = "report_file"
	FieldName   = "report_name"
	FieldTarget = "target_chat"
)

// previewRunes is how much of a report the chat message shows.
const previewRunes = 200

// formOverhead is the room left in the request body limit for the
// multipart framing and the other fields.
const formOverhead = 64 << 10

// Config is the plugin's config section.
type Config struct {
	// APIToken is the bearer token clients must send.
	APIToken sdk.Secret `json:"API_TOKEN" title:"API token" desc:"Clients must send Authorization: Bearer <API_TOKEN>." required:"true"`
	// DefaultChatKey receives reports whose upload names no target_chat.
	DefaultChatKey string `json:"DEFAULT_CHAT_KEY" title:"Default chat" desc:"chat_key notified when an upload has no target_chat field."`
	// MaxFileBytes is the largest report accepted. Defaults to 1048576
	// (1 MiB); 0 also means the default.
	MaxFileBytes int64 `json:"MAX_FILE_BYTES" title:"Largest report (bytes)" desc:"Uploads with a larger report_file are refused with 413." default:"1048576"`
}

// Plugin is the report plugin.
type Plugin struct {
	Config Config

	host sdk.Host
}

// PluginInfo describes the plugin.
func (Plugin) PluginInfo() sdk.Info {
	return sdk.Info{
		ID:          ID,
		Name:        "Report upload",
		Description: "Accepts text report uploads, saves them and posts a preview to a chat.",
		Version:     "0.1.0",
		New:         func() sdk.Plugin { return new(Plugin) },
	}
}

// PluginConfig returns the config the host decodes into.
func (p *Plugin) PluginConfig() any { return &p.Config }

// Validate checks the token and the file size limit.
func (p *Plugin) Validate() error {
	var errs []error
	if !p.Config.APIToken.IsSet() {
		errs = append(errs, errors.New("API_TOKEN is required"))
	}
	if p.Config.MaxFileBytes < 0 {
		errs = append(errs, fmt.Errorf("MAX_FILE_BYTES must not be negative, got %d", p.Config.MaxFileBytes))
	}
	return errors.Join(errs...)
}

func (p *Plugin) maxFileBytes() int64 {
	if p.Config.MaxFileBytes > 0 {
		return p.Config.MaxFileBytes
	}
	return DefaultMaxFileBytes
}

// Provision mounts the /upload_report webhook.
func (p *Plugin) Provision(h sdk.Host) error {
	v, err := verify.Bearer(p.Config.APIToken.Reveal())
	if err != nil {
		return fmt.Errorf("building bearer token verifier: %w", err)
	}
	p.host = h
	return h.Webhook(sdk.Webhook{
		Endpoint:     Endpoint,
		Name:         "Upload Report",
		Description:  "Accepts a text report (multipart field report_file) and posts a preview to target_chat or DEFAULT_CHAT_KEY.",
		Methods:      []string{http.MethodPost},
		MaxBodyBytes: p.maxFileBytes() + formOverhead,
		Verify:       []sdk.Verifier{v},
		Handler:      sdk.HandlerFunc(p.serveUpload),
	})
}

func (p *Plugin) serveUpload(ctx context.Context, req *sdk.Request) (*sdk.Response, error) {
	limit := p.maxFileBytes()
	form, err := req.Multipart(sdk.MultipartOpts{MaxFiles: 1, MaxFileBytes: limit, MaxTotalBytes: limit, MaxFields: 16})
	if err != nil {
		return nil, err
	}
	file := form.FirstFile(FieldFile)
	if file == nil {
		return nil, sdk.Error(http.StatusBadRequest, FieldFile+" is required")
	}
	name := strings.Join(strings.Fields(form.Value.Get(FieldName)), " ")
	if name == "" {
		return nil, sdk.Error(http.StatusBadRequest, FieldName+" is required")
	}
	chat := strings.TrimSpace(form.Value.Get(FieldTarget))
	if chat == "" {
		chat = p.Config.DefaultChatKey
	}
	if chat == "" {
		return nil, sdk.Error(http.StatusBadRequest, FieldTarget+" is required (no DEFAULT_CHAT_KEY is configured)")
	}
	if !strings.HasPrefix(file.ContentType, "text/") {
		return nil, sdk.Errorf(http.StatusBadRequest, "only text files are accepted; %s has content type %q", FieldFile, file.ContentType)
	}
	if !utf8.Valid(file.Data) {
		return nil, sdk.Error(http.StatusBadRequest, FieldFile+" is not valid UTF-8 text")
	}

	path, err := file.Save(filepath.Join(p.host.DataDir(), UploadDir))
	if err != nil {
		return nil, err
	}
	saved := filepath.Base(path)
	log := req.Logger.With("file", saved, "size", file.Size(), "chat_key", chat)
	log.Info("report saved")

	text := fmt.Sprintf("New report '%s' (%s, %d bytes):\n%s", clip(name, 200), saved, file.Size(), clip(strings.TrimPrefix(string(file.Data), "\uFEFF"), previewRunes))
	if err := p.host.Send(ctx, chat, sdk.Message{Text: text}); err != nil {
		return nil, fmt.Errorf("sending report notification to %s: %w", chat, err)
	}
	log.Info("report notification sent")
	return sdk.JSON(http.StatusOK, map[string]any{"status": "success", "filename": saved, "size": file.Size()})
}

// clip cuts s to n runes, marking a cut with "…".
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

var (
	_ sdk.Configurable = (*Plugin)(nil)
	_ sdk.Validator    = (*Plugin)(nil)
	_ sdk.Provisioner  = (*Plugin)(nil)
)
