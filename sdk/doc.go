// Package sdk is the plugin SDK of Hookpoint. It imports the standard
// library and one module, github.com/go-json-experiment/json: the
// upstream of encoding/json/v2, whose decoder [DecodeJSON] runs with
// encoding/json's semantics (until encoding/json/v2 needs no
// GOEXPERIMENT).
//
// A plugin registers itself in an init function and is built by the host:
//
//  1. [Register] stores the plugin's [Info] (at init; panics on a bad or
//     duplicate ID).
//  2. Info.New returns a fresh value with no side effects.
//  3. If the plugin implements [Configurable], the host decodes the plugin's
//     config section into the struct that PluginConfig returns: keys are
//     matched exactly against each field's `json` tag (or field name);
//     unknown keys and missing required fields are load errors.
//  4. If the plugin implements [Validator], Validate runs.
//  5. If the plugin implements [Provisioner], Provision runs with the
//     plugin's [Host]; this is where webhooks are mounted with
//     [Host.Webhook].
//  6. At shutdown, after in-flight requests and background tasks have ended,
//     Cleanup runs on plugins that implement [CleanerUpper].
//
// Config struct tags describe fields for listings and the admin API:
// `title`, `desc`, `default` (applied before decoding) and `required:"true"`.
// Secrets use the [Secret] type, which never prints its value.
//
// Webhook handlers receive a [Request] whose Body holds the raw bytes the
// sender sent, and return a [Response] or an error; an [*HTTPError] is
// answered as {"detail": "..."} with its status, any other error as a 500
// with an error id.
package sdk
