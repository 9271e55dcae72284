package sdk

import (
	"encoding/json"
	"fmt"
	"log/slog"
)

// Masked is how a set Secret shows itself everywhere.
const Masked = "******"

// Secret is a config value that never prints. A set secret shows as
// "******" in fmt, log/slog, encoding/json and text encodings; an unset
// one (zero, or empty) shows as unset: JSON null, the empty string
// elsewhere, so that a listing tells a missing secret from a set one.
// [Secret.Reveal] is the only way to read the value. The value sits behind
// a pointer, so even printing a struct that holds a Secret in an unexported
// field shows an address, not the value.
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

// String returns "******", or "" when the secret is unset.
func (s Secret) String() string {
	if s.IsSet() {
		return Masked
	}
	return ""
}

// GoString returns what String does.
func (s Secret) GoString() string { return s.String() }

// Format prints what String returns for every verb.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", s.String())
		return
	}
	fmt.Fprint(f, s.String())
}

// LogValue masks the secret in log/slog records.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON encodes a set secret as "******" and an unset one as null.
func (s Secret) MarshalJSON() ([]byte, error) {
	if !s.IsSet() {
		return []byte("null"), nil
	}
	return json.Marshal(Masked)
}

// MarshalText encodes a set secret as "******" and an unset one as "".
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

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
