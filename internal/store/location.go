package store

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/hookpoint/hookpoint/sdk"
)

// Location is where a database is: a SQLite file or a PostgreSQL server.
// It prints (fmt, log/slog) as the file's path or the server's hosts,
// port, database and user, never with a password.
type Location struct {
	// Dialect is the kind of database.
	Dialect Dialect
	// Path is the SQLite file, made absolute.
	Path string

	dsn  sdk.Secret // PostgreSQL: the connection string, password included
	desc string     // PostgreSQL: what String shows
}

// accepted says which database locations ParseLocation accepts.
const accepted = "a postgres:// or postgresql:// URL, a PostgreSQL key=value connection string " +
	"(host=... dbname=... user=...), sqlite:PATH, or a SQLite file path"

var (
	// urlScheme matches a URL scheme and its colon, as RFC 3986 spells it.
	urlScheme = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*):`)
	// keywordValue matches the start of a libpq key=value string.
	keywordValue = regexp.MustCompile(`^\s*[A-Za-z_]+\s*=`)
)

// ParseLocation classifies s, a --database or database.url value:
//   - postgres:// or postgresql:// (the scheme in any case) is a
//     PostgreSQL URL, and a libpq key=value string (host=db dbname=x) a
//     PostgreSQL connection string; both must parse as pgx parses them;
//   - sqlite:PATH, or any other string, is the path of a SQLite file;
//   - any other URL scheme (mysql://, http:, file:) is an error that says
//     what is accepted.
//
// Errors never quote a PostgreSQL string: it may hold a password.
func ParseLocation(s string) (Location, error) {
	if strings.TrimSpace(s) == "" {
		return Location{}, errors.New("empty; want " + accepted)
	}
	if m := urlScheme.FindStringSubmatch(s); m != nil && !isDrive(s) {
		scheme := strings.ToLower(m[1])
		rest := s[len(m[0]):]
		switch {
		case (scheme == "postgres" || scheme == "postgresql") && strings.HasPrefix(rest, "//"):
			return parsePostgres(scheme + ":" + rest)
		case scheme == "sqlite" && strings.HasPrefix(rest, "//"):
			return Location{}, errors.New("write sqlite:PATH, without //, e.g. sqlite:data/hookpoint.db")
		case scheme == "sqlite":
			return sqliteLocation(rest)
		default:
			return Location{}, fmt.Errorf("unsupported scheme %q; want %s", m[1], accepted)
		}
	}
	if keywordValue.MatchString(s) {
		return parsePostgres(s)
	}
	return sqliteLocation(s)
}

// isDrive reports whether s starts with a Windows drive letter (C:\ or
// C:/), which is a path, not a URL scheme.
func isDrive(s string) bool {
	return len(s) >= 3 && s[1] == ':' && (s[2] == '\\' || s[2] == '/') &&
		('a' <= s[0] && s[0] <= 'z' || 'A' <= s[0] && s[0] <= 'Z')
}

func sqliteLocation(path string) (Location, error) {
	if path == "" {
		return Location{}, errors.New("sqlite: needs a file path, e.g. sqlite:data/hookpoint.db")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return Location{}, fmt.Errorf("SQLite path: %w", err)
	}
	return Location{Dialect: SQLite, Path: abs}, nil
}

// parsePostgres checks dsn as pgx will read it, and keeps the server's
// address for String.
func parsePostgres(dsn string) (Location, error) {
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil {
		return Location{}, fmt.Errorf("PostgreSQL connection string: %w", parseCause(err))
	}
	var hosts, ports []string
	seen := map[string]bool{}
	add := func(host string, port uint16) {
		if key := net.JoinHostPort(host, strconv.Itoa(int(port))); !seen[key] {
			seen[key] = true
			hosts, ports = append(hosts, host), append(ports, strconv.Itoa(int(port)))
		}
	}
	add(cfg.Host, cfg.Port)
	for _, f := range cfg.Fallbacks {
		add(f.Host, f.Port)
	}
	desc := fmt.Sprintf("postgres host=%s port=%s dbname=%s user=%s",
		strings.Join(hosts, ","), strings.Join(ports, ","), cfg.Database, cfg.User)
	return Location{Dialect: Postgres, dsn: sdk.NewSecret(dsn), desc: desc}, nil
}

// parseCause returns the innermost reason pgx gives, without the
// connection string it quotes (best-effort redacted by pgx, and a URL
// error quotes it in full).
func parseCause(err error) error {
	var pe *pgconn.ParseConfigError
	if !errors.As(err, &pe) || errors.Unwrap(pe) == nil {
		return errors.New("malformed")
	}
	inner := errors.Unwrap(pe)
	var ue *url.Error
	if errors.As(inner, &ue) {
		return ue.Err
	}
	return inner
}

// String returns "sqlite PATH", or "postgres host=... port=... dbname=...
// user=..." without the password.
func (l Location) String() string {
	if l.Dialect == Postgres {
		return l.desc
	}
	return "sqlite " + l.Path
}

// GoString returns what String does, so %#v shows no password either.
func (l Location) GoString() string { return l.String() }

// LogValue logs the location as String does.
func (l Location) LogValue() slog.Value { return slog.StringValue(l.String()) }

// connString returns the PostgreSQL connection string, password included.
func (l Location) connString() string { return l.dsn.Reveal() }
