// Package generic is the built-in generic relay plugin,
// hookpoint.generic: any sender that can POST (or PUT) JSON or text gets
// its payload posted to CHAT_KEY. It shows the verification styles that
// package verify offers beyond the provider-specific ones: a generic HMAC
// signature, a shared token in a header or query parameter, a Bearer
// token, HTTP Basic credentials and Standard Webhooks signatures, each
// with an optional previous secret for rotation, plus an optional client
// address allowlist.
//
// Its webhook is served at
// {BASE_URL}/api/plugin/hookpoint.generic/webhook/generic. A JSON body
// is decoded and, by default, summarised by its event and title fields
// or shown as compact JSON; a text body is relayed as is. TEMPLATE (Go
// text/template) formats the message instead.
//
// The webhook is queued ([sdk.ModeQueued]): a request that passes the
// checks and whose message can be formatted is stored and answered 202 at
// once; an empty, binary or malformed body, or one TEMPLATE cannot
// format, is refused with a 4xx before it is stored. The message is then
// sent from the durable queue, retried while the chat cannot take it.
// The configured token header or query parameter and HMAC header are
// redacted in stored requests.
package generic

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"text/template"

	"github.com/hookpoint/hookpoint/sdk"
	"github.com/hookpoint/hookpoint/verify"
)

func init() { sdk.Register(Plugin{}) }

// ID is the plugin key.
const ID = "hookpoint.generic"

// Endpoint is the webhook endpoint below the plugin's webhook root.
const Endpoint = "/generic"

// Verification styles, the values of VERIFY.
const (
	VerifyHMAC             = "hmac"
	VerifyToken            = "token"
	VerifyBearer           = "bearer"
	VerifyBasic            = "basic"
	VerifyStandardWebhooks = "standard-webhooks"
)

// VerifyStyles lists the accepted values of VERIFY.
var VerifyStyles = []string{VerifyHMAC, VerifyToken, VerifyBearer, VerifyBasic, VerifyStandardWebhooks}

// Defaults of the config fields that have one; an empty field also
// means its default.
const (
	DefaultHMACHeader    = "X-Signature"
	DefaultHMACAlgorithm = "sha256"
	DefaultHMACEncoding  = "hex"
	DefaultTokenHeader   = verify.DefaultTokenHeader
)

// Config is the plugin's config section.
type Config struct {
	// ChatKey receives every relayed payload.
	ChatKey string `json:"CHAT_KEY" title:"Chat" desc:"chat_key that receives every relayed payload, e.g. inbox-group_ops." required:"true"`
	// Verify is how senders authenticate, one of VerifyStyles.
	Verify string `json:"VERIFY" title:"Verification" desc:"How senders authenticate: hmac (signature of the body in HMAC_HEADER), token (shared token in TOKEN_HEADER or TOKEN_QUERY), bearer (Authorization: Bearer SECRET), basic (Basic BASIC_USER:SECRET) or standard-webhooks (webhook-id/-timestamp/-signature, SECRET is whsec_...)." required:"true"`
	// Secret is the HMAC key, token, password or Standard Webhooks
	// secret, depending on Verify.
	Secret sdk.Secret `json:"SECRET" title:"Secret" desc:"The HMAC key (hmac), token (token, bearer), password (basic) or whsec_/whpk_ secret (standard-webhooks)." required:"true"`
	// PreviousSecret is the secret being rotated out. While it is set,
	// requests authenticated with either secret are accepted.
	PreviousSecret sdk.Secret `json:"PREVIOUS_SECRET" title:"Previous secret" desc:"During secret rotation, the old secret: requests authenticated with it are accepted too. Remove it once every sender uses SECRET."`
	// HMACHeader carries the signature (hmac).
	HMACHeader string `json:"HMAC_HEADER" title:"HMAC signature header" desc:"hmac: the header carrying the signature." default:"X-Signature"`
	// HMACAlgorithm is sha1, sha256 or sha512 (hmac).
	HMACAlgorithm string `json:"HMAC_ALGORITHM" title:"HMAC algorithm" desc:"hmac: sha1, sha256 or sha512." default:"sha256"`
	// HMACEncoding is hex, base64 or base64url (hmac).
	HMACEncoding string `json:"HMAC_ENCODING" title:"HMAC signature encoding" desc:"hmac: hex, base64 or base64url." default:"hex"`
	// HMACPrefix precedes the encoded signature, e.g. "sha256=" (hmac).
	HMACPrefix string `json:"HMAC_PREFIX" title:"HMAC signature prefix" desc:"hmac: text before the encoded signature in the header, e.g. sha256= (matched case-insensitively). Empty: none."`
	// TokenHeader carries the token (token), unless TokenQuery is set.
	TokenHeader string `json:"TOKEN_HEADER" title:"Token header" desc:"token: the header carrying the shared token." default:"X-Webhook-Token"`
	// TokenQuery, if set, is the query parameter carrying the token
	// (token) instead of TokenHeader.
	TokenQuery string `json:"TOKEN_QUERY" title:"Token query parameter" desc:"token: take the token from this URL query parameter instead of TOKEN_HEADER, for senders that cannot set headers. URLs end up in logs; prefer a header."`
	// BasicUser is the user name (basic).
	BasicUser string `json:"BASIC_USER" title:"Basic user name" desc:"basic: the user name senders must give with SECRET as the password. Required for basic."`
	// AllowIPs, if set, limits the client addresses accepted.
	AllowIPs []string `json:"ALLOW_IPS" title:"Allowed client addresses" desc:"If set, only these client addresses (CIDR prefixes or single IPs) are accepted, in addition to VERIFY; others are answered 403."`
	// TrustedProxies are the reverse proxies whose forwarding headers
	// name the client for AllowIPs.
	TrustedProxies []string `json:"TRUSTED_PROXIES" title:"Trusted proxies" desc:"With ALLOW_IPS behind a reverse proxy: the proxies (CIDR prefixes or IPs) whose X-Forwarded-For/Forwarded headers name the client. Usually the same as server.trusted_proxies."`
	// Template formats the message.
	Template string `json:"TEMPLATE" title:"Message template" desc:"Go text/template for the message, executed with the decoded JSON payload (or the text body, as a string) as dot; functions json and truncate are available. A message that renders empty is not sent. Empty: the payload's event and title, or its compact JSON."`
}

// Plugin is the generic relay plugin.
type Plugin struct {
	Config Config

	host sdk.Host
	tmpl *template.Template
}

// PluginInfo describes the plugin.
func (Plugin) PluginInfo() sdk.Info {
	return sdk.Info{
		ID:          ID,
		Name:        "Generic webhook relay",
		Description: "Relays JSON or text webhooks from any sender to a chat, authenticated by HMAC, token, Bearer, Basic or Standard Webhooks.",
		Version:     "0.1.0",
		New:         func() sdk.Plugin { return new(Plugin) },
	}
}

// PluginConfig returns the config the host decodes into.
func (p *Plugin) PluginConfig() any { return &p.Config }

// Validate checks the config: the chat, the verification style and its
// settings, the address lists and the template.
func (p *Plugin) Validate() error {
	_, _, err := p.build()
	return err
}

// build checks the config and returns the request checks and the parsed
// template (nil when TEMPLATE is empty). Every problem is reported.
func (p *Plugin) build() ([]sdk.Verifier, *template.Template, error) {
	c := &p.Config
	var errs []error
	if strings.TrimSpace(c.ChatKey) == "" {
		errs = append(errs, errors.New("CHAT_KEY is required"))
	}
	var checks []sdk.Verifier
	_, allowErr := verify.ParsePrefixes(c.AllowIPs)
	if allowErr != nil {
		errs = append(errs, fmt.Errorf("ALLOW_IPS: %w", allowErr))
	}
	_, proxyErr := verify.ParsePrefixes(c.TrustedProxies)
	if proxyErr != nil {
		errs = append(errs, fmt.Errorf("TRUSTED_PROXIES: %w", proxyErr))
	}
	if len(c.AllowIPs) > 0 && allowErr == nil && proxyErr == nil {
		// First, so that a request from elsewhere is refused before
		// its credentials are looked at.
		v, err := verify.IPAllow(verify.IPAllowOpts{Allow: c.AllowIPs, TrustedProxies: c.TrustedProxies})
		if err != nil {
			errs = append(errs, fmt.Errorf("ALLOW_IPS: %w", err))
		} else {
			checks = append(checks, v)
		}
	}
	knownStyle := slices.Contains(VerifyStyles, c.Verify)
	if !knownStyle {
		errs = append(errs, verifyStyleError(c.Verify))
	}
	if !c.Secret.IsSet() {
		errs = append(errs, errors.New("SECRET is required"))
	}
	if knownStyle && c.Secret.IsSet() {
		v, err := p.verifier()
		if err != nil {
			errs = append(errs, err)
		} else {
			checks = append(checks, v)
		}
	}
	var tmpl *template.Template
	if c.Template != "" {
		t, err := parseTemplate(c.Template)
		if err != nil {
			errs = append(errs, fmt.Errorf("TEMPLATE: %w", err))
		}
		tmpl = t
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	return checks, tmpl, nil
}

func verifyStyleError(got string) error {
	if got == "" {
		return fmt.Errorf("VERIFY is required: one of %s", strings.Join(VerifyStyles, ", "))
	}
	return fmt.Errorf("VERIFY %q is not one of %s", got, strings.Join(VerifyStyles, ", "))
}

// secrets returns the accepted secrets: the current one, then the
// previous one if set.
func (p *Plugin) secrets() []string {
	s := []string{p.Config.Secret.Reveal()}
	if p.Config.PreviousSecret.IsSet() {
		s = append(s, p.Config.PreviousSecret.Reveal())
	}
	return s
}

// verifier builds the check that VERIFY names.
func (p *Plugin) verifier() (sdk.Verifier, error) {
	c := &p.Config
	secrets := p.secrets()
	switch c.Verify {
	case VerifyHMAC:
		v, err := verify.HMAC(verify.HMACOpts{
			Header:    or(c.HMACHeader, DefaultHMACHeader),
			Algorithm: or(c.HMACAlgorithm, DefaultHMACAlgorithm),
			Encoding:  or(c.HMACEncoding, DefaultHMACEncoding),
			Prefix:    c.HMACPrefix,
		}, secrets...)
		if err != nil {
			return nil, fmt.Errorf("VERIFY hmac (HMAC_HEADER, HMAC_ALGORITHM, HMAC_ENCODING, HMAC_PREFIX): %w", err)
		}
		return v, nil
	case VerifyToken:
		opts := verify.TokenOpts{Query: c.TokenQuery}
		if c.TokenQuery == "" {
			opts.Header = or(c.TokenHeader, DefaultTokenHeader)
			if !validHeaderName(opts.Header) {
				return nil, fmt.Errorf("TOKEN_HEADER %q is not a valid header name", opts.Header)
			}
		}
		v, err := verify.Token(opts, secrets...)
		if err != nil {
			return nil, fmt.Errorf("VERIFY token: %w", err)
		}
		return v, nil
	case VerifyBearer:
		v, err := verify.Bearer(secrets...)
		if err != nil {
			return nil, fmt.Errorf("VERIFY bearer: %w", err)
		}
		return v, nil
	case VerifyBasic:
		if c.BasicUser == "" {
			return nil, errors.New("BASIC_USER is required with VERIFY basic")
		}
		if strings.Contains(c.BasicUser, ":") {
			return nil, errors.New("BASIC_USER must not contain a colon")
		}
		// verify.Basic takes one password per user, so each secret
		// gets its own check and any of them may pass.
		vs := make([]verify.Verifier, 0, len(secrets))
		for _, s := range secrets {
			v, err := verify.Basic(map[string]string{c.BasicUser: s})
			if err != nil {
				return nil, fmt.Errorf("VERIFY basic: %w", err)
			}
			vs = append(vs, v)
		}
		if len(vs) == 1 {
			return vs[0], nil
		}
		return verify.Any(vs...), nil
	case VerifyStandardWebhooks:
		v, err := verify.StandardWebhooks(verify.StandardWebhooksOpts{}, secrets...)
		if err != nil {
			return nil, fmt.Errorf("VERIFY standard-webhooks (SECRET must be whsec_<base64> or whpk_<base64>): %w", err)
		}
		return v, nil
	}
	return nil, verifyStyleError(c.Verify)
}

// Provision mounts the /generic webhook.
func (p *Plugin) Provision(h sdk.Host) error {
	checks, tmpl, err := p.build()
	if err != nil {
		return err
	}
	p.host, p.tmpl = h, tmpl
	c := &p.Config
	for _, unused := range []struct {
		key, value, style string
	}{
		{"TOKEN_QUERY", c.TokenQuery, VerifyToken},
		{"BASIC_USER", c.BasicUser, VerifyBasic},
		{"HMAC_PREFIX", c.HMACPrefix, VerifyHMAC},
	} {
		if unused.value != "" && c.Verify != unused.style {
			h.Logger().Warn(unused.key+" is set but only applies to VERIFY "+unused.style, "verify", c.Verify)
		}
	}
	if len(c.TrustedProxies) > 0 && len(c.AllowIPs) == 0 {
		h.Logger().Warn("TRUSTED_PROXIES is set but only applies with ALLOW_IPS")
	}
	return h.Webhook(sdk.Webhook{
		Endpoint:    Endpoint,
		Name:        "Generic Webhook Relay",
		Description: "Relays a JSON or text payload to CHAT_KEY, authenticated by VERIFY (" + c.Verify + ").",
		Methods:     []string{http.MethodPost, http.MethodPut},
		Verify:      checks,
		Mode:        sdk.ModeQueued,
		Check:       p.check,
		Handler:     sdk.HandlerFunc(p.serveGeneric),
	})
}

// check refuses, before the request is stored, what the handler would
// refuse: a body that does not decode or that TEMPLATE cannot format.
func (p *Plugin) check(req *sdk.Request) error {
	_, _, err := p.compose(req)
	return err
}

// compose decodes a request's payload and formats its message. It has no
// side effects. A message of "" means TEMPLATE rendered an empty one,
// which is not sent. A body or payload that cannot be relayed is a 4xx
// [*sdk.HTTPError], which fails a queued request for good.
func (p *Plugin) compose(req *sdk.Request) (payload, string, error) {
	pl, err := decodePayload(req)
	if err != nil {
		return payload{}, "", err
	}
	if p.tmpl == nil {
		return pl, defaultMessage(pl), nil
	}
	text, err := render(p.tmpl, pl)
	if err != nil {
		return payload{}, "", &sdk.HTTPError{Status: http.StatusBadRequest, Detail: "TEMPLATE cannot format this payload: " + err.Error(), Err: err}
	}
	if strings.TrimSpace(text) == "" {
		return pl, "", nil
	}
	return pl, text, nil
}

// serveGeneric relays one verified request. A failure to send is
// returned as a plain error, so the queue retries the request.
func (p *Plugin) serveGeneric(ctx context.Context, req *sdk.Request) (*sdk.Response, error) {
	pl, text, err := p.compose(req)
	if err != nil {
		return nil, err
	}
	log := req.Logger.With("payload", pl.kind(), "bytes", len(req.Body), "delivery_id", req.DeliveryID)
	if text == "" {
		log.Info("TEMPLATE rendered an empty message; nothing sent")
		return sdk.JSON(http.StatusOK, map[string]string{"status": "ignored", "reason": "the template rendered an empty message"})
	}
	if err := p.host.Send(ctx, p.Config.ChatKey, sdk.Message{Text: text}); err != nil {
		return nil, fmt.Errorf("relaying payload to %s: %w", p.Config.ChatKey, err)
	}
	log.Info("payload relayed to chat", "chat_key", p.Config.ChatKey)
	return sdk.JSON(http.StatusOK, map[string]string{"status": "delivered"})
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// validHeaderName reports whether s is a non-empty HTTP token (RFC 9110).
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune("!#$%&'*+-.^_`|~", r):
		default:
			return false
		}
	}
	return true
}

var (
	_ sdk.Configurable = (*Plugin)(nil)
	_ sdk.Validator    = (*Plugin)(nil)
	_ sdk.Provisioner  = (*Plugin)(nil)
)
