package plugin

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hookpoint/hookpoint/sdk"
)

// Field describes one field of a plugin's config struct.
type Field struct {
	Key         string `json:"key"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	Type        string `json:"type"`
	Default     string `json:"default,omitempty"`
	Required    bool   `json:"required"`
	Secret      bool   `json:"secret"`
}

var (
	secretType   = reflect.TypeFor[sdk.Secret]()
	durationType = reflect.TypeFor[time.Duration]()
)

type configField struct {
	Field
	index []int
}

// configFields lists the decodable fields of the struct t.
func configFields(t reflect.Type) []configField {
	var out []configField
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		key := sf.Name
		if tag, _, _ := strings.Cut(sf.Tag.Get("json"), ","); tag == "-" {
			continue
		} else if tag != "" {
			key = tag
		}
		typ := sf.Type.String()
		switch sf.Type {
		case secretType:
			typ = "secret"
		case durationType:
			typ = "duration"
		}
		out = append(out, configField{
			Field: Field{
				Key:         key,
				Title:       sf.Tag.Get("title"),
				Description: sf.Tag.Get("desc"),
				Type:        typ,
				Default:     sf.Tag.Get("default"),
				Required:    sf.Tag.Get("required") == "true",
				Secret:      sf.Type == secretType,
			},
			index: sf.Index,
		})
	}
	return out
}

// decodeConfig fills the struct that target points to from raw: defaults
// from `default` tags first, then raw's values. Keys match exactly; unknown
// keys and required fields left empty are errors that name the field.
func decodeConfig(target any, raw map[string]any) error {
	rv := reflect.ValueOf(target)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("PluginConfig must return a pointer to a struct, not %T", target)
	}
	sv := rv.Elem()
	fields := configFields(sv.Type())
	byKey := map[string]configField{}
	keys := make([]string, 0, len(fields))
	for _, f := range fields {
		byKey[f.Key] = f
		keys = append(keys, f.Key)
	}
	for _, f := range fields {
		if _, given := raw[f.Key]; given || f.Default == "" {
			continue
		}
		if err := setValue(sv.FieldByIndex(f.index), f.Default); err != nil {
			return fmt.Errorf("config field %s: default %q: %w", f.Key, f.Default, err)
		}
	}
	given := make([]string, 0, len(raw))
	for k := range raw {
		given = append(given, k)
	}
	sort.Strings(given)
	for _, k := range given {
		f, ok := byKey[k]
		if !ok {
			return fmt.Errorf("unknown config key %q (known keys: %s)", k, strings.Join(keys, ", "))
		}
		if err := setValue(sv.FieldByIndex(f.index), raw[k]); err != nil {
			return fmt.Errorf("config field %s: %w", k, err)
		}
	}
	for _, f := range fields {
		if f.Required && sv.FieldByIndex(f.index).IsZero() {
			return fmt.Errorf("config field %s is required but not set", f.Key)
		}
		if f.Required && f.Secret && !sv.FieldByIndex(f.index).Interface().(sdk.Secret).IsSet() {
			return fmt.Errorf("config field %s is required but empty", f.Key)
		}
	}
	return nil
}

func setValue(v reflect.Value, raw any) error {
	if v.Type() == secretType {
		s, err := scalarString(raw)
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(sdk.NewSecret(s)))
		return nil
	}
	if v.Type() == durationType {
		s, ok := raw.(string)
		if !ok {
			return fmt.Errorf("want a duration such as \"30s\", got %v", raw)
		}
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("want a duration such as \"30s\": %w", err)
		}
		v.SetInt(int64(d))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		s, err := scalarString(raw)
		if err != nil {
			return err
		}
		v.SetString(s)
	case reflect.Bool:
		switch b := raw.(type) {
		case bool:
			v.SetBool(b)
		case string:
			p, err := strconv.ParseBool(b)
			if err != nil {
				return fmt.Errorf("want true or false, got %q", b)
			}
			v.SetBool(p)
		default:
			return fmt.Errorf("want true or false, got %v", raw)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := toInt(raw)
		if err != nil {
			return err
		}
		if v.OverflowInt(n) {
			return fmt.Errorf("%d is out of range", n)
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := toInt(raw)
		if err != nil {
			return err
		}
		if n < 0 || v.OverflowUint(uint64(n)) {
			return fmt.Errorf("%d is out of range", n)
		}
		v.SetUint(uint64(n))
	case reflect.Float32, reflect.Float64:
		switch f := raw.(type) {
		case int:
			v.SetFloat(float64(f))
		case float64:
			v.SetFloat(f)
		case string:
			p, err := strconv.ParseFloat(f, 64)
			if err != nil {
				return fmt.Errorf("want a number, got %q", f)
			}
			v.SetFloat(p)
		default:
			return fmt.Errorf("want a number, got %v", raw)
		}
	default:
		// Lists, maps and nested structs go through JSON.
		b, err := json.Marshal(raw)
		if err != nil {
			return fmt.Errorf("re-encoding value: %w", err)
		}
		p := reflect.New(v.Type())
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(p.Interface()); err != nil {
			return fmt.Errorf("want %s: %w", v.Type(), err)
		}
		v.Set(p.Elem())
	}
	return nil
}

func scalarString(raw any) (string, error) {
	switch s := raw.(type) {
	case string:
		return s, nil
	case int, int64, float64, bool:
		return fmt.Sprint(s), nil
	case nil:
		return "", nil
	default:
		return "", fmt.Errorf("want a string, got a %T", raw)
	}
}

func toInt(raw any) (int64, error) {
	switch n := raw.(type) {
	case int:
		return int64(n), nil
	case int64:
		return n, nil
	case uint64:
		if n > math.MaxInt64 {
			return 0, fmt.Errorf("%d is out of range", n)
		}
		return int64(n), nil
	case float64:
		if n != math.Trunc(n) {
			return 0, fmt.Errorf("want a whole number, got %v", n)
		}
		return int64(n), nil
	case string:
		p, err := strconv.ParseInt(n, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("want a whole number, got %q", n)
		}
		return p, nil
	default:
		return 0, fmt.Errorf("want a whole number, got %v", raw)
	}
}
