// Command hookpoint runs the Hookpoint webhook server and its tools.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	_ "github.com/hookpoint/hookpoint/plugins/all" // built-in plugins
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `Hookpoint: webhook access points for chat-agent plugins.

Usage:
  hookpoint init      [--config FILE] [--base-url URL] [--listen ADDR] [--force]
  hookpoint serve     [--listen ADDR] [--data DIR] [--database URL] [--config FILE]
  hookpoint webhooks  [--config FILE] [--json]
  hookpoint plugins   ls|describe [ID] [--config FILE] [--json]
  hookpoint sign      --scheme S [--secret-file F] [--event E] [flags] FILE|-
  hookpoint send      --to URL --scheme S [--secret-file F] [--event E] [flags] FILE|-
  hookpoint deliveries ls|show|replay [flags]
  hookpoint tasks     ls|show|cancel [flags]
  hookpoint version

Run "hookpoint COMMAND --help" for a command's flags.
`

// errUsage is returned after the usage was printed for a command line
// that names no command: the exit status is 2, with no further message.
var errUsage = errors.New("usage")

func main() {
	ctx := context.Background()
	os.Exit(exitCode(run(ctx, os.Args[1:], os.Stdout, os.Stderr), os.Stderr))
}

// exitCode is the exit status for run's error: 0 for success and for
// --help (the help was asked for and printed), 2 after printing any other
// error.
func exitCode(err error, stderr io.Writer) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	default:
		fmt.Fprintln(stderr, "hookpoint:", err)
		return 2
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "init":
		return initConfig(ctx, args[1:], stdout, stderr)
	case "serve":
		return serve(ctx, args[1:], stderr)
	case "webhooks":
		return webhooks(ctx, args[1:], stdout, stderr)
	case "plugins":
		return plugins(ctx, args[1:], stdout, stderr)
	case "sign":
		return sign(ctx, args[1:], os.Stdin, stdout, stderr)
	case "send":
		return send(ctx, args[1:], os.Stdin, stdout, stderr)
	case "deliveries":
		return deliveries(ctx, args[1:], stdout, stderr)
	case "tasks":
		return tasks(ctx, args[1:], stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "hookpoint", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
}
