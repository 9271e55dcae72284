package sdk

import (
	"encoding/json"
	"fmt"
	"log/slog"
)

// Masked is how a Secret shows itself everywhere.
const Masked = "******"

// Secret is a config value that never prints. fmt, log/slog and
// encoding/json all show it as "******"; [Secret.Reveal] is the only way
// to read it. The value sits behind a pointer, so even printing a struct
// that holds a Secret in an unexported field shows an address, not the
// value.
type Secret struct {
	v *string
}

// NewSecret returns a Secret holding s.
func NewSecret(s string) Secret { return Secret{v: &s} }

// Reveal returns the secret value.
func (s Secret) Reveal() string {
	if s.v == nil {
		return ""
	}
	return *s.v
}

// IsSet reports whether the secret holds a non-empty value.
func (s Secret) IsSet() bool { return s.Reveal() != "" }

// String returns "******".
func (s Secret) String() string { return Masked }

// GoString returns "******".
func (s Secret) GoString() string { return Masked }

// Format prints "******" for every verb.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", Masked)
		return
	}
	fmt.Fprint(f, Masked)
}

// LogValue masks the secret in log/slog records.
func (s Secret) LogValue() slog.Value { return slog.StringValue(Masked) }

// MarshalJSON encodes the secret as "******".
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(Masked) }

// MarshalText encodes the secret as "******".
func (s Secret) MarshalText() ([]byte, error) { return []byte(Masked), nil }

// UnmarshalJSON reads the secret from a JSON string.
func (s *Secret) UnmarshalJSON(b []byte) error {
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("secret must be a string")
	}
	*s = NewSecret(v)
	return nil
}

var (
	_ fmt.Formatter  = Secret{}
	_ fmt.GoStringer = Secret{}
	_ slog.LogValuer = Secret{}
	_ json.Marshaler = Secret{}
)

// UnmarshalText reads the secret from text, as YAML and flag decoders do.
func (s *Secret) UnmarshalText(b []byte) error {
	*s = NewSecret(string(b))
	return nil
}
