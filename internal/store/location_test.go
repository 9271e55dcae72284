package store_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookpoint/hookpoint/internal/store"
	"github.com/hookpoint/hookpoint/internal/store/storetest"
)

const password = "pw-never-shown"

func TestParseLocation(t *testing.T) {
	t.Parallel()
	abs := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	tests := []struct {
		name, in string
		dialect  store.Dialect
		shown    string // String(), for PostgreSQL
		path     string // Path, for SQLite
	}{
		{"postgres URL", "postgres://hp:" + password + "@db:5433/hookpoint?sslmode=disable", store.Postgres, "postgres host=db port=5433 dbname=hookpoint user=hp", ""},
		{"postgresql URL", "postgresql://hp:" + password + "@db:5433/hookpoint?sslmode=disable", store.Postgres, "postgres host=db port=5433 dbname=hookpoint user=hp", ""},
		{"upper-case scheme", "POSTGRES://hp:" + password + "@db:5433/hookpoint?sslmode=disable", store.Postgres, "postgres host=db port=5433 dbname=hookpoint user=hp", ""},
		{"mixed-case scheme", "PostgreSQL://hp@db:5433/hookpoint?sslmode=disable&password=" + password, store.Postgres, "postgres host=db port=5433 dbname=hookpoint user=hp", ""},
		{"two hosts", "postgres://hp:" + password + "@db1:5433,db2:5434/hookpoint?sslmode=disable", store.Postgres, "postgres host=db1,db2 port=5433,5434 dbname=hookpoint user=hp", ""},
		{"key=value", "host=db port=5433 dbname=hookpoint user=hp password=" + password + " sslmode=disable", store.Postgres, "postgres host=db port=5433 dbname=hookpoint user=hp", ""},
		{"key=value, quoted password", "host=db port=5433 dbname=hookpoint user=hp password='" + password + " x' sslmode=disable", store.Postgres, "postgres host=db port=5433 dbname=hookpoint user=hp", ""},
		{"sqlite: prefix", "sqlite:data/hookpoint.db", store.SQLite, "", abs("data/hookpoint.db")},
		{"relative path", "state/hookpoint.db", store.SQLite, "", abs("state/hookpoint.db")},
		{"absolute path", "/srv/hookpoint/hookpoint.db", store.SQLite, "", "/srv/hookpoint/hookpoint.db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			loc, err := store.ParseLocation(tt.in)
			if err != nil {
				t.Fatalf("ParseLocation: %v", err)
			}
			if loc.Dialect != tt.dialect {
				t.Errorf("dialect %v, want %v", loc.Dialect, tt.dialect)
			}
			want := tt.shown
			if tt.dialect == store.SQLite {
				want = "sqlite " + tt.path
				if loc.Path != tt.path {
					t.Errorf("path %q, want %q", loc.Path, tt.path)
				}
			}
			if loc.String() != want {
				t.Errorf("String() = %q, want %q", loc.String(), want)
			}
			assertNoPassword(t, loc)
		})
	}
}

// assertNoPassword checks that no way of printing loc shows the password.
func assertNoPassword(t *testing.T, loc store.Location) {
	t.Helper()
	holder := struct{ loc store.Location }{loc} // unexported: fmt prints its fields
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "db", loc)
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "db", loc)
	outs := []string{logs.String()}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		outs = append(outs, fmt.Sprintf(verb, loc), fmt.Sprintf(verb, holder), fmt.Sprintf(verb, &loc))
	}
	for _, out := range outs {
		if strings.Contains(out, password) || strings.Contains(out, fmt.Sprintf("%x", password)) {
			t.Errorf("the password shows in %q", out)
		}
	}
}

func TestParseLocationRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"mysql", "mysql://hp:" + password + "@db/hookpoint", `unsupported scheme "mysql"`},
		{"http", "http://db/hookpoint", `unsupported scheme "http"`},
		{"file URI", "file:hookpoint.db", `unsupported scheme "file"`},
		{"sqlite with slashes", "sqlite://data/hookpoint.db", "sqlite:PATH"},
		{"empty sqlite", "sqlite:", "needs a file path"},
		{"empty", "", "empty"},
		{"bad port", "postgres://hp:" + password + "@db:notaport/hookpoint", "PostgreSQL"},
		{"unterminated quote", "host=db dbname=hookpoint password='" + password, "PostgreSQL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := store.ParseLocation(tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("the error shows the password: %v", err)
			}
			if strings.Contains(tt.want, "scheme") && !strings.Contains(err.Error(), "postgres://") {
				t.Errorf("the error does not say what is accepted: %v", err)
			}
		})
	}
}

// A libpq key=value connection string opens PostgreSQL.
func TestOpenKeywordValuePostgres(t *testing.T) {
	t.Parallel()
	u, err := url.Parse(storetest.NewPostgresSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	kv := fmt.Sprintf("host=%s port=%s dbname=%s user=%s", u.Hostname(), u.Port(), strings.TrimPrefix(u.Path, "/"), u.User.Username())
	if p, ok := u.User.Password(); ok {
		kv += " password='" + p + "'"
	}
	for k, vs := range u.Query() {
		kv += " " + k + "=" + vs[0]
	}
	s, err := store.Open(context.Background(), kv)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Dialect() != store.Postgres {
		t.Errorf("dialect %v, want postgres", s.Dialect())
	}
}
