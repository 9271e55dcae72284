package sdk_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/hookpoint/hookpoint/sdk"
)

const secretValue = "s3cr3t-value-42"

type config struct {
	Secret  sdk.Secret `json:"secret"`
	ChatKey string     `json:"chat_key"`
}

type holder struct {
	cfg config // unexported: fmt cannot call methods on it
	ptr *sdk.Secret
}

func TestSecretNeverPrints(t *testing.T) {
	t.Parallel()
	s := sdk.NewSecret(secretValue)
	c := config{Secret: s, ChatKey: "inbox-x"}
	h := holder{cfg: c, ptr: &s}

	var logs bytes.Buffer
	for _, lh := range []slog.Handler{slog.NewTextHandler(&logs, nil), slog.NewJSONHandler(&logs, nil)} {
		l := slog.New(lh)
		l.Info("config", "secret", s, "cfg", c, "holder", h, "ptr", &s)
		l.Info("group", slog.Group("g", "secret", s))
	}
	js, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{
		"slog": logs.String(),
		"json": string(js),
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T"} {
		outputs["fmt "+verb+" secret"] = fmt.Sprintf(verb, s)
		outputs["fmt "+verb+" config"] = fmt.Sprintf(verb, c)
		outputs["fmt "+verb+" holder"] = fmt.Sprintf(verb, h)
		outputs["fmt "+verb+" pointer"] = fmt.Sprintf(verb, &s)
	}
	outputs["Sprint"] = fmt.Sprint(s, c, h)
	outputs["Println"] = fmt.Sprintln(s, c)
	for name, out := range outputs {
		if strings.Contains(out, secretValue) || strings.Contains(out, fmt.Sprintf("%x", secretValue)) {
			t.Errorf("%s leaks the secret: %s", name, out)
		}
	}
	if !strings.Contains(string(js), `"secret":"******"`) {
		t.Errorf("JSON = %s, want the secret masked as \"******\"", js)
	}
	if got := fmt.Sprintf("%v", s); got != sdk.Masked {
		t.Errorf("%%v = %q, want %q", got, sdk.Masked)
	}
	if s.Reveal() != secretValue {
		t.Errorf("Reveal() = %q, want the value", s.Reveal())
	}
}

func TestSecretDecodes(t *testing.T) {
	t.Parallel()
	var c config
	if err := json.Unmarshal([]byte(`{"secret":"abc","chat_key":"inbox-x"}`), &c); err != nil {
		t.Fatal(err)
	}
	if c.Secret.Reveal() != "abc" || !c.Secret.IsSet() {
		t.Errorf("decoded secret = %q", c.Secret.Reveal())
	}
	if err := json.Unmarshal([]byte(`{"secret":42}`), &c); err == nil {
		t.Error("a number decoded as a secret; want an error")
	}
	var zero sdk.Secret
	if zero.IsSet() || zero.Reveal() != "" {
		t.Error("zero Secret is set")
	}
}

// An unset secret shows as unset, never as "******": a listing must not
// claim a secret is configured when it is not.
func TestUnsetSecretShowsUnset(t *testing.T) {
	t.Parallel()
	for name, s := range map[string]sdk.Secret{"zero": {}, "empty": sdk.NewSecret("")} {
		js, err := json.Marshal(config{Secret: s})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(js), `"secret":null`) {
			t.Errorf("%s: JSON = %s, want the secret as null", name, js)
		}
		if got := fmt.Sprintf("%v|%s|%q", s, s, s); got != `||""` {
			t.Errorf("%s: fmt = %s, want it empty", name, got)
		}
		var logs bytes.Buffer
		slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "secret", s)
		if strings.Contains(logs.String(), sdk.Masked) {
			t.Errorf("%s: log = %s, want it empty", name, logs.String())
		}
	}
}
